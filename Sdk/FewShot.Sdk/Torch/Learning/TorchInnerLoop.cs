using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// Gradient-descent adaptation θₖ₊₁ = θₖ − α ⊙ ∇θₖ L_support(θₖ) on explicit tensors, as <c>InnerLoop</c> unrolls it
/// into ONNX graphs: second order unless the inner gradients are constants (first order).
/// </summary>
public static class TorchInnerLoop
{
    /// <summary>Runs <paramref name="steps"/> steps and returns the parameter list with the adapted entries replaced.</summary>
    /// <param name="parameters">The starting values (not modified); adapted entries must require gradients.</param>
    /// <param name="adapted">Positions of the entries that adapt; the others pass through.</param>
    /// <param name="steps">Number of steps; 0 returns a copy of the list.</param>
    /// <param name="stepSize">(Step index, position) → its step size: a scalar tensor, or one per element (Meta-SGD).</param>
    /// <param name="firstOrder">Treat the inner gradients as constants (no second derivatives).</param>
    /// <param name="keepGraph">Keep the support graph alive after each step, for a later backward pass through a part it shares (ANIL's features).</param>
    /// <param name="supportLoss">The support loss for the given parameter values.</param>
    /// <param name="trajectory">When given, receives the parameter list after each step (MAML++'s multi-step loss reads them).</param>
    public static torch.Tensor[] Unroll(
        IReadOnlyList<torch.Tensor> parameters,
        IReadOnlyList<int> adapted,
        int steps,
        Func<int, int, torch.Tensor> stepSize,
        bool firstOrder,
        bool keepGraph,
        Func<IReadOnlyList<torch.Tensor>, torch.Tensor> supportLoss,
        IList<torch.Tensor[]>? trajectory = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(adapted);
        ArgumentNullException.ThrowIfNull(stepSize);
        ArgumentNullException.ThrowIfNull(supportLoss);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var current = parameters.ToArray();
        var inputs = new torch.Tensor[adapted.Count];
        for (var step = 0; step < steps; step++)
        {
            var loss = supportLoss(current);
            for (var j = 0; j < adapted.Count; j++)
            {
                inputs[j] = current[adapted[j]];
            }

            var gradients = TorchGradients.Of(loss, inputs, retainGraph: !firstOrder || keepGraph, createGraph: !firstOrder);
            for (var j = 0; j < adapted.Count; j++)
            {
                current[adapted[j]] = current[adapted[j]] - (stepSize(step, adapted[j]) * gradients[j]);
            }

            trajectory?.Add(current.ToArray());
        }

        return current;
    }
}
