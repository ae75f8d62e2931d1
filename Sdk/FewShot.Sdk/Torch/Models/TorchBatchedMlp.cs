using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary><see cref="Mlp"/> over T tasks at once: every layer a batched matrix product over the task dimension.</summary>
public sealed class TorchBatchedMlp : ITorchBatchedModel
{
    private readonly int _layers;

    /// <summary>Lowers <paramref name="model"/>.</summary>
    public TorchBatchedMlp(Mlp model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _layers = model.Parameters.Count / 2;
        HeadIndices = [2 * (_layers - 1), (2 * (_layers - 1)) + 1];
    }

    /// <inheritdoc />
    public IReadOnlyList<int> HeadIndices { get; }

    /// <inheritdoc />
    /// <remarks>One batched matrix product per layer instead of T tiny ones (sinusoid MAML: 73 → 843 iterations/s, benchmarks/README.md).</remarks>
    public bool PaysOnOneThread => true;

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x) => Head(parameters, Features(parameters, x));

    /// <inheritdoc />
    public torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (var layer = 0; layer < _layers - 1; layer++)
        {
            x = torch.nn.functional.relu(TorchBatchedModels.Linear(x, parameters[2 * layer], parameters[(2 * layer) + 1]));
        }

        return x;
    }

    /// <inheritdoc />
    public torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return TorchBatchedModels.Linear(features, parameters[HeadIndices[0]], parameters[HeadIndices[1]]);
    }
}
