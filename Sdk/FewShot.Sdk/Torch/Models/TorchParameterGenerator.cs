using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of <see cref="ParameterGenerator"/>: the same LSTM pass, mean and output layers over explicit
/// tensors, differentiable into the generator's weights and the codes. Stateless and thread-safe; tensors it returns belong
/// to the caller's dispose scope.
/// </summary>
public sealed class TorchParameterGenerator
{
    private readonly TorchLstmCell _cell;

    /// <summary>Lowers <paramref name="generator"/>.</summary>
    public TorchParameterGenerator(ParameterGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Description = generator;
        _cell = new TorchLstmCell(generator.Cell);
    }

    /// <summary>The description this lowers.</summary>
    public ParameterGenerator Description { get; }

    /// <summary>Codes [n, I] (n ≥ 1) → each target's generated value, in <see cref="ParameterGenerator.Targets"/> order.</summary>
    /// <param name="codes">One row per example of the set, in the order the LSTM reads them.</param>
    /// <param name="p">Parameter name → tensor; must hold the generator's parameters.</param>
    public torch.Tensor[] Generate(torch.Tensor codes, IReadOnlyDictionary<string, torch.Tensor> p)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(p);
        var d = Description;
        var h = torch.zeros([1, d.HiddenSize], device: codes.device);
        var c = torch.zeros([1, d.HiddenSize], device: codes.device);
        var sum = torch.zeros([1, d.HiddenSize], device: codes.device);
        var count = codes.shape[0];
        if (count == 0)
        {
            throw new ArgumentException("the generator reads at least one example; the set is empty", nameof(codes));
        }

        for (var t = 0; t < count; t++)
        {
            (h, c) = _cell.Step(codes.narrow(0, t, 1), h, c, p);
            sum = sum + h;
        }

        var mean = sum / count;
        return [.. d.Targets.Select(target => TorchLayers.Linear(mean, p[d.WeightOf(target.Name)], p[d.BiasOf(target.Name)].reshape(-1)).reshape(target.Shape))];
    }
}
