using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff;

/// <summary>Reverse-mode differentiation of ONNX graphs: appends the nodes that compute gradients.</summary>
public static class Gradients
{
    /// <summary>
    /// Appends to <paramref name="graph"/> the nodes computing d<paramref name="output"/>/d<paramref name="wrt"/>, and
    /// returns, for every value in <paramref name="wrt"/>, the name of the value holding its gradient (same shape and
    /// element type). Only the nodes on a path from <paramref name="wrt"/> to <paramref name="output"/> are
    /// differentiated; a value that does not influence the output gets zeros. The appended nodes are standard
    /// ONNX operators with rules of their own, so the result can be differentiated again (second order).
    /// </summary>
    /// <param name="graph">The graph to extend; it is edited in place. Its nodes must be in topological order.</param>
    /// <param name="output">The value to differentiate: a scalar (one element), or any value when <see cref="GradientOptions.Seed"/> is given.</param>
    /// <param name="wrt">Floating-point values to differentiate with respect to: inputs, initializers or intermediate values.</param>
    /// <param name="options">Seed gradient, stop-gradient values, names and rules; null for the defaults.</param>
    /// <exception cref="ArgumentException">A value is unknown to the graph, not floating-point, or both requested and stopped.</exception>
    /// <exception cref="InvalidOperationException">An operator on the path has no rule, or its rule does not support the node's attributes.</exception>
    public static IReadOnlyDictionary<string, string> Append(GraphBuilder graph, string output, IReadOnlyList<string> wrt, GradientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        ArgumentNullException.ThrowIfNull(wrt);
        return new GradientEngine(graph, options ?? new GradientOptions()).Run(output, wrt);
    }
}
