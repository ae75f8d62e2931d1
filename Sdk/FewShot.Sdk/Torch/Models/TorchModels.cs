using FewShot.Sdk.Models;

namespace FewShot.Sdk.Torch.Models;

/// <summary>Finds the TorchSharp lowering of a model description.</summary>
public static class TorchModels
{
    /// <summary>The lowering of <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">The model has no TorchSharp lowering.</exception>
    public static ITorchModel Lower(IFewShotModel model) => model switch
    {
        Conv4 conv4 => new TorchConv4(conv4),
        Mlp mlp => new TorchMlp(mlp),
        ConvAutoencoder autoencoder => new TorchConvAutoencoder(autoencoder),
        LatentClassifier classifier => new TorchLatentClassifier(classifier),
        null => throw new ArgumentNullException(nameof(model)),
        _ => throw new NotSupportedException($"model '{model.Name}' ({model.GetType().Name}) has no TorchSharp lowering; conv4, mlp and conv-autoencoder have one"),
    };

    /// <summary>The lowering of a model with a head (what ANIL and the fine-tuning baseline adapt).</summary>
    /// <exception cref="NotSupportedException">The model has no headed TorchSharp lowering.</exception>
    public static ITorchHeadedModel LowerHeaded(IHeadedModel model) =>
        Lower(model) as ITorchHeadedModel ?? throw new NotSupportedException($"model '{model.Name}' has no headed TorchSharp lowering");
}
