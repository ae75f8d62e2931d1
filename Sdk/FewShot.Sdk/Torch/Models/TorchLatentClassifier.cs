using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>The TorchSharp lowering of <see cref="LatentClassifier"/>: parameters in its order (the encoder's six, then the head's two).</summary>
public sealed class TorchLatentClassifier(LatentClassifier model) : ITorchHeadedModel
{
    private readonly TorchConvAutoencoder _autoencoder = new(model.Autoencoder);

    /// <inheritdoc />
    public IFewShotModel Description => model;

    /// <inheritdoc />
    public IReadOnlyList<int> HeadIndices { get; } = [LatentClassifier.EncoderParameterCount, LatentClassifier.EncoderParameterCount + 1];

    /// <inheritdoc />
    public torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x) => Scale(_autoencoder.Encode(parameters, x));

    /// <summary>Each code scaled to length <see cref="LatentClassifier.FeatureNorm"/>, as the description's Features does.</summary>
    public static torch.Tensor Scale(torch.Tensor code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code * (LatentClassifier.FeatureNorm / (code.square().sum(1, keepdim: true) + LatentClassifier.Epsilon).sqrt());
    }

    /// <inheritdoc />
    public torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return TorchLayers.Linear(features, parameters[HeadIndices[0]], parameters[HeadIndices[1]]);
    }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x) => Head(parameters, Features(parameters, x));
}
