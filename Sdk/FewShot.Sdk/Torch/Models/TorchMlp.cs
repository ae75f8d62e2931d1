using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>The TorchSharp lowering of <see cref="Mlp"/>: parameters in <see cref="Mlp.Parameters"/> order (weight, bias per layer).</summary>
public sealed class TorchMlp : ITorchHeadedModel
{
    private readonly Mlp _model;
    private readonly int _layers;

    /// <summary>Lowers <paramref name="model"/>.</summary>
    public TorchMlp(Mlp model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _layers = model.Parameters.Count / 2;
        HeadIndices = [2 * (_layers - 1), (2 * (_layers - 1)) + 1];
    }

    /// <inheritdoc />
    public IFewShotModel Description => _model;

    /// <inheritdoc />
    public IReadOnlyList<int> HeadIndices { get; }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x) => Head(parameters, Features(parameters, x));

    /// <inheritdoc />
    public torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (var layer = 0; layer < _layers - 1; layer++)
        {
            x = TorchLayers.Relu(TorchLayers.Linear(x, parameters[2 * layer], parameters[(2 * layer) + 1]));
        }

        return x;
    }

    /// <inheritdoc />
    public torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return TorchLayers.Linear(features, parameters[HeadIndices[0]], parameters[HeadIndices[1]]);
    }
}
