using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of <see cref="LstmOptimizer"/>: the same preprocessing, cell and gates over explicit tensors, so
/// that the query loss after the unrolled steps differentiates into φ. Stateless and thread-safe; tensors it returns belong to
/// the caller's dispose scope.
/// </summary>
public sealed class TorchLstmOptimizer
{
    private readonly TorchLstmCell _cell;

    /// <summary>Lowers <paramref name="optimizer"/>.</summary>
    public TorchLstmOptimizer(LstmOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Description = optimizer;
        _cell = new TorchLstmCell(optimizer.Cell);
    }

    /// <summary>The description this lowers.</summary>
    public LstmOptimizer Description { get; }

    /// <summary>Zero state for <paramref name="coordinates"/> coordinates, in <see cref="LstmOptimizer.StateNames"/> order.</summary>
    public torch.Tensor[] InitialState(long coordinates, torch.Device device) =>
        [.. Description.State(coordinates).Select(s => torch.zeros(s.Shape, device: device))];

    /// <summary>One step: θ [P, 1], gradients [P, 1], the loss (scalar) and the state → θ′ [P, 1] and the next state.</summary>
    /// <param name="theta">The parameters, flattened.</param>
    /// <param name="gradients">Their gradients.</param>
    /// <param name="loss">The loss they were taken of.</param>
    /// <param name="state">h, c, i, f.</param>
    /// <param name="phi">The optimizer's weights, in <see cref="LstmOptimizer.Parameters"/> order.</param>
    public (torch.Tensor Theta, torch.Tensor[] State) Step(torch.Tensor theta, torch.Tensor gradients, torch.Tensor loss, IReadOnlyList<torch.Tensor> state, IReadOnlyList<torch.Tensor> phi)
    {
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(phi);
        var losses = loss.reshape(1, 1).expand(gradients.shape);
        var (h, c) = _cell.Step(torch.cat([Preprocess(gradients), Preprocess(losses)], 1), state[0], state[1], phi[0], phi[1], phi[2]);
        var i = torch.sigmoid(TorchLayers.Linear(torch.cat([h, theta, state[2]], 1), phi[3], phi[4]));
        var f = torch.sigmoid(TorchLayers.Linear(torch.cat([h, theta, state[3]], 1), phi[5], phi[6]));
        return ((f * theta) - (i * gradients), [h, c, i, f]);
    }

    private static torch.Tensor Preprocess(torch.Tensor values)
    {
        var threshold = Math.Exp(-LstmOptimizer.Preprocessing);
        var magnitude = values.abs();
        var large = magnitude >= threshold;
        var first = torch.where(large, magnitude.clamp_min(threshold).log() / LstmOptimizer.Preprocessing, torch.full_like(values, -1));
        var second = torch.where(large, values.sign(), values * Math.Exp(LstmOptimizer.Preprocessing));
        return torch.cat([first, second], 1);
    }
}
