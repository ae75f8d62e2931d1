using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Unrolls gradient-descent adaptation into the graph: θₖ₊₁ = θₖ − α ⊙ ∇θₖ L_support(θₖ) for the adapted tensors.
/// Each step differentiates only its own support loss, so the graph grows linearly with the number of steps,
/// and differentiating the result again (the meta-gradient) is exact second-order MAML unless the inner
/// gradients are stopped (first order).
/// </summary>
internal static class InnerLoop
{
    /// <summary>Appends <paramref name="steps"/> inner steps and returns the adapted values.</summary>
    /// <param name="g">The graph to append to.</param>
    /// <param name="parameters">Parameter name → current value name (not modified).</param>
    /// <param name="adapted">Names of the parameters the loop adapts; the others pass through.</param>
    /// <param name="steps">Number of steps (0 returns the parameters unchanged).</param>
    /// <param name="stepSize">(Step index, parameter name) → value name of its step size (a scalar, or per element for Meta-SGD).</param>
    /// <param name="firstOrder">Treat inner gradients as constants (first-order MAML).</param>
    /// <param name="supportLoss">Appends the support loss for the given parameter values and returns it.</param>
    /// <returns>Parameter name → adapted value name.</returns>
    public static Dictionary<string, string> Unroll(
        GraphBuilder g,
        IReadOnlyDictionary<string, string> parameters,
        IReadOnlyList<string> adapted,
        int steps,
        Func<int, string, string> stepSize,
        bool firstOrder,
        Func<IReadOnlyDictionary<string, string>, string> supportLoss)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var current = new Dictionary<string, string>(parameters, StringComparer.Ordinal);
        for (var step = 0; step < steps; step++)
        {
            var loss = supportLoss(current);
            var values = adapted.Select(name => current[name]).ToArray();
            var gradients = Gradients.Append(g, loss, values);
            foreach (var name in adapted)
            {
                var gradient = gradients[current[name]];
                if (firstOrder)
                {
                    gradient = StopGradient.Apply(g, gradient);
                }

                current[name] = g.Op("Sub", [current[name], g.Op("Mul", [stepSize(step, name), gradient])]);
            }
        }

        return current;
    }
}
