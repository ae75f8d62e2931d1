using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Autodiff.Models;

/// <summary>
/// MAML's unrolled inner loop as one graph: θₖ = θₖ₋₁ − α ∇L_support(θₖ₋₁), each step differentiated once, through
/// only that step's forward pass. Differentiating the returned query loss with respect to θ₀ gives the exact
/// second-order meta-gradient; with <c>firstOrder</c> the inner gradients are stop-gradient (FOMAML).
/// </summary>
internal static class Maml
{
    public sealed record Unrolled(string FirstSupportLoss, IReadOnlyDictionary<string, string> FirstGradients, IReadOnlyDictionary<string, string> Adapted, string QueryLoss);

    public static Unrolled Build(GraphBuilder g, IReadOnlyDictionary<string, string> initial, (string X, string Y) support, (string X, string Y) query,
        double innerRate, int steps, bool firstOrder = false)
    {
        var theta = initial;
        string? firstLoss = null;
        IReadOnlyDictionary<string, string>? firstGradients = null;
        var rate = g.Scalar(innerRate, g.ElementTypeOf(initial.Values.First()));
        for (var step = 0; step < steps; step++)
        {
            var loss = Losses.SoftmaxCrossEntropy(g, Conv4.Logits(g, support.X, theta), support.Y);
            var gradients = Gradients.Append(g, loss, theta.Values.ToList());
            (firstLoss, firstGradients) = (firstLoss ?? loss, firstGradients ?? theta.ToDictionary(p => p.Key, p => gradients[p.Value]));
            theta = theta.ToDictionary(p => p.Key, p =>
            {
                var gradient = firstOrder ? StopGradient.Apply(g, gradients[p.Value]) : gradients[p.Value];
                return g.Op("Sub", [p.Value, g.Op("Mul", [gradient, rate])]);
            });
        }

        var queryLoss = Losses.SoftmaxCrossEntropy(g, Conv4.Logits(g, query.X, theta), query.Y);
        return new Unrolled(firstLoss!, firstGradients!, theta, queryLoss);
    }
}
