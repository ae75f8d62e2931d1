using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>The TorchSharp lowering of <see cref="ConvAutoencoder"/>: parameters in <see cref="ConvAutoencoder.Parameters"/> order.</summary>
public sealed class TorchConvAutoencoder : ITorchModel
{
    private readonly ConvAutoencoder _model;
    private readonly long[] _gridShape;

    /// <summary>Lowers <paramref name="model"/>.</summary>
    public TorchConvAutoencoder(ConvAutoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;

        // expand.weight is [flat, latent] and enc2.weight [2·hidden, …]: the decoder's grid comes from the description's shapes.
        var doubled = model.Parameters[2].Shape[0];
        _gridShape = [-1, doubled, model.InputShape[1] / 4, model.InputShape[2] / 4];
    }

    /// <inheritdoc />
    public IFewShotModel Description => _model;

    /// <summary>The latent code [batch, <see cref="ConvAutoencoder.LatentSize"/>].</summary>
    public torch.Tensor Encode(IReadOnlyList<torch.Tensor> p, torch.Tensor x) => Code(p, Convolutions(p, x));

    /// <summary>The encoder's two convolutions, flattened: what its last layer, <see cref="Code"/>, reads.</summary>
    public torch.Tensor Convolutions(IReadOnlyList<torch.Tensor> p, torch.Tensor x)
    {
        ArgumentNullException.ThrowIfNull(p);
        x = TorchLayers.Relu(TorchLayers.ConvDown(x, p[0], p[1]));
        x = TorchLayers.Relu(TorchLayers.ConvDown(x, p[2], p[3]));
        return TorchLayers.Flatten(x);
    }

    /// <summary>The encoder's last layer: flattened convolution output → latent code.</summary>
    public torch.Tensor Code(IReadOnlyList<torch.Tensor> p, torch.Tensor convolutions)
    {
        ArgumentNullException.ThrowIfNull(p);
        return TorchLayers.Linear(convolutions, p[4], p[5]);
    }

    /// <summary>The reconstruction, shaped like the input [batch, C, H, W].</summary>
    public torch.Tensor Reconstruct(IReadOnlyList<torch.Tensor> p, torch.Tensor x)
    {
        ArgumentNullException.ThrowIfNull(p);
        var expanded = TorchLayers.Relu(TorchLayers.Linear(Encode(p, x), p[6], p[7]));
        var up = TorchLayers.Relu(TorchLayers.ConvUp(expanded.reshape(_gridShape), p[8], p[9]));
        return torch.sigmoid(TorchLayers.ConvUp(up, p[10], p[11]));
    }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x) => TorchLayers.Flatten(Reconstruct(parameters, x));
}
