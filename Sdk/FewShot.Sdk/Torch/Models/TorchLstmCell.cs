using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of <see cref="LstmCell"/>: the same gates, in the same order, over explicit parameter tensors so
/// that a meta-gradient flows into them. Stateless and thread-safe; tensors it returns belong to the caller's dispose scope.
/// </summary>
public sealed class TorchLstmCell
{
    /// <summary>Lowers <paramref name="cell"/>.</summary>
    public TorchLstmCell(LstmCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        Description = cell;
    }

    /// <summary>The description this lowers.</summary>
    public LstmCell Description { get; }

    /// <summary>One step: x [n, I], h [n, H], c [n, H] → (h′, c′), each [n, H].</summary>
    /// <param name="x">The input rows.</param>
    /// <param name="h">The previous hidden state.</param>
    /// <param name="c">The previous cell state.</param>
    /// <param name="weightIh">W_ih [4H, I].</param>
    /// <param name="weightHh">W_hh [4H, H].</param>
    /// <param name="bias">b [4H].</param>
    public (torch.Tensor H, torch.Tensor C) Step(torch.Tensor x, torch.Tensor h, torch.Tensor c, torch.Tensor weightIh, torch.Tensor weightHh, torch.Tensor bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(c);
        var gates = TorchLayers.Linear(x, weightIh, bias) + h.matmul(weightHh.t());
        var chunks = gates.chunk(4, dim: 1);
        var cell = (torch.sigmoid(chunks[1]) * c) + (torch.sigmoid(chunks[0]) * torch.tanh(chunks[2]));
        var hidden = torch.sigmoid(chunks[3]) * torch.tanh(cell);
        return (hidden, cell);
    }

    /// <summary>One step with the cell's parameters looked up by name in <paramref name="parameters"/>.</summary>
    public (torch.Tensor H, torch.Tensor C) Step(torch.Tensor x, torch.Tensor h, torch.Tensor c, IReadOnlyDictionary<string, torch.Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Step(x, h, c, parameters[Description.WeightIh], parameters[Description.WeightHh], parameters[Description.Bias]);
    }
}
