using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of <see cref="LstmOptimizer"/>: the same preprocessing, cells and output over explicit tensors, so
/// that the query loss after the unrolled steps differentiates into φ. Stateless and thread-safe; tensors it returns belong to
/// the caller's dispose scope.
/// </summary>
public sealed class TorchLstmOptimizer
{
    private readonly TorchLstmCell _first;
    private readonly TorchLstmCell _second;

    /// <summary>Lowers <paramref name="optimizer"/>.</summary>
    public TorchLstmOptimizer(LstmOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Description = optimizer;
        _first = new TorchLstmCell(optimizer.First);
        _second = new TorchLstmCell(optimizer.Second);
    }

    /// <summary>The description this lowers.</summary>
    public LstmOptimizer Description { get; }

    /// <summary>Zero state for <paramref name="coordinates"/> coordinates, in <see cref="LstmOptimizer.StateNames"/> order.</summary>
    public torch.Tensor[] InitialState(long coordinates, torch.Device device) =>
        [.. Description.StateNames.Select(_ => torch.zeros([coordinates, Description.HiddenSize], device: device))];

    /// <summary>One step: gradients [P, 1] and the state → the update [P, 1] (to subtract) and the next state.</summary>
    /// <param name="gradients">The gradient of each coordinate.</param>
    /// <param name="state">h1, c1, h2, c2.</param>
    /// <param name="phi">The optimizer's weights, in <see cref="LstmOptimizer.Parameters"/> order.</param>
    public (torch.Tensor Update, torch.Tensor[] State) Step(torch.Tensor gradients, IReadOnlyList<torch.Tensor> state, IReadOnlyList<torch.Tensor> phi)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(phi);
        var (h1, c1) = _first.Step(Preprocess(gradients), state[0], state[1], phi[0], phi[1], phi[2]);
        var (h2, c2) = _second.Step(h1, state[2], state[3], phi[3], phi[4], phi[5]);
        var output = TorchLayers.Linear(h2, phi[6], phi[7]);
        return (output * LstmOptimizer.OutputScale, [h1, c1, h2, c2]);
    }

    private static torch.Tensor Preprocess(torch.Tensor gradients)
    {
        var threshold = Math.Exp(-LstmOptimizer.Preprocessing);
        var magnitude = gradients.abs();
        var large = magnitude >= threshold;
        var first = torch.where(large, magnitude.clamp_min(threshold).log() / LstmOptimizer.Preprocessing, torch.full_like(gradients, -1));
        var second = torch.where(large, gradients.sign(), gradients * Math.Exp(LstmOptimizer.Preprocessing));
        return torch.cat([first, second], 1);
    }
}
