using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// The one generic reverse pass: finds the nodes between the requested values and the output, visits them in reverse
/// topological order, asks each op's rule for input gradients, reduces broadcast gradients, sums the gradients of
/// values with several consumers, and finally removes appended nodes that no gradient uses.
/// </summary>
internal sealed class GradientEngine(GraphBuilder graph, GradientOptions options)
{
    private readonly GradientRegistry _registry = options.Registry ?? GradientRegistry.Default;
    private readonly Dictionary<string, List<string>> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _totals = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Run(string output, IReadOnlyList<string> wrt)
    {
        Validate(output, wrt);
        var forward = graph.Graph.Node.ToArray();
        var reached = Reach(forward, wrt);
        var active = Prune(forward, reached, output);
        var context = new GradientContext(graph, reached, new HashSet<string>(wrt.Concat(options.StopGradients), StringComparer.Ordinal));
        if (reached.Contains(output))
        {
            _pending[output] = [Seed(context, output)];
        }

        for (var i = active.Count - 1; i >= 0; i--)
        {
            Backward(context, active[i], reached);
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in wrt.Distinct())
        {
            var gradient = Total(value) ?? context.Zeros(value);
            result[value] = options.Names.TryGetValue(value, out var name) ? graph.Node("Identity", [gradient], [name]).Output[0] : gradient;

            // A gradient has its value's shape; recording it lets callers declare it a graph output without spelling it out.
            if (!graph.TryGetShape(result[value], out _) && context.StaticShape(value) is { } shape && shape.All(d => d.IsFixed || !d.Symbol!.StartsWith('?')))
            {
                graph.SetShape(result[value], shape);
            }
        }

        RemoveUnused(forward.Length, result.Values);
        return result;
    }

    private void Validate(string output, IReadOnlyList<string> wrt)
    {
        foreach (var value in wrt.Append(output))
        {
            var parameter = value == output ? nameof(output) : nameof(wrt);
            if (!graph.TryGetElementType(value, out var type))
            {
                throw new ArgumentException($"'{value}' is not a value of graph '{graph.Graph.Name}' with a known element type", parameter);
            }

            if (!IsFloatingPoint(type))
            {
                throw new ArgumentException($"'{value}' has element type {type}; gradients exist only for floating-point values", parameter);
            }
        }

        if (wrt.FirstOrDefault(options.StopGradients.Contains) is { } stopped)
        {
            throw new ArgumentException($"'{stopped}' is both differentiated with respect to and marked stop-gradient", nameof(wrt));
        }
    }

    /// <summary>
    /// The floating-point values that depend on <paramref name="wrt"/> through nodes not marked stop-gradient. Outputs of
    /// unknown type count as floating-point, so that a missing rule is reported rather than a gradient silently dropped.
    /// </summary>
    private HashSet<string> Reach(NodeProto[] nodes, IReadOnlyList<string> wrt)
    {
        var reached = new HashSet<string>(wrt, StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (StopGradient.IsMarked(node) || !node.Input.Any(reached.Contains))
            {
                continue;
            }

            foreach (var value in node.Output)
            {
                if (value.Length != 0 && !options.StopGradients.Contains(value) && (!graph.TryGetElementType(value, out var type) || IsFloatingPoint(type)))
                {
                    reached.Add(value);
                }
            }
        }

        return reached;
    }

    /// <summary>The nodes, in graph order, through which a reached value flows into <paramref name="output"/>.</summary>
    private static List<NodeProto> Prune(NodeProto[] nodes, HashSet<string> reached, string output)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal) { output };
        var active = new List<NodeProto>();
        for (var i = nodes.Length - 1; i >= 0; i--)
        {
            if (nodes[i].Output.Any(o => needed.Contains(o) && reached.Contains(o)))
            {
                active.Add(nodes[i]);
                needed.UnionWith(nodes[i].Input.Where(reached.Contains));
            }
        }

        active.Reverse();
        return active;
    }

    private string Seed(GradientContext context, string output)
    {
        if (options.Seed is { } seed)
        {
            return graph.ElementTypeOf(seed) == graph.ElementTypeOf(output) ? seed
                : throw new ArgumentException($"the seed '{seed}' has element type {graph.ElementTypeOf(seed)} but '{output}' has {graph.ElementTypeOf(output)}", nameof(options));
        }

        var shape = context.StaticShape(output);
        if (shape is null || shape.Any(d => d.Value != 1))
        {
            throw new ArgumentException($"'{output}' has shape [{(shape is null ? "unknown" : string.Join(", ", shape))}], not one element; pass its gradient as GradientOptions.Seed", nameof(output));
        }

        var one = TensorData.Scalar("", graph.ElementTypeOf(output), 1);
        one.Dims.AddRange(shape.Select(d => d.Value!.Value));
        return context.Constant(one);
    }

    private void Backward(GradientContext context, NodeProto node, HashSet<string> reached)
    {
        var dy = Total(node.Output[0]);
        if (node.Output.Skip(1).FirstOrDefault(o => Total(o) is not null) is { } other)
        {
            throw new InvalidOperationException($"cannot differentiate {node.OpType} node {node.Label()} through its output '{other}': rules differentiate the first output only");
        }

        if (dy is null)
        {
            return;
        }

        if (!_registry.TryGet(node.OpType, out var rule, out var broadcasting) || node.Domain is { Length: > 0 } and not "ai.onnx")
        {
            throw new InvalidOperationException($"no gradient rule for op \"{node.OpType}\" (node {node.Label()})");
        }

        context.Begin(node);
        if (node.DocString.Length != 0 && _registry.TryGetComposite(node.DocString, out var composite) && composite(context, node, dy) is { } shares)
        {
            foreach (var (value, gradient) in shares)
            {
                if (reached.Contains(value))
                {
                    Contribute(value, gradient);
                }
            }

            return;
        }

        var gradients = rule(context, node, dy);

        // Rules may list gradients for optional inputs the node omits; those are null.
        for (var i = 0; i < Math.Min(gradients.Length, node.Input.Count); i++)
        {
            if (gradients[i] is { } gradient && node.Input[i] is { Length: > 0 } input && reached.Contains(input))
            {
                Contribute(input, broadcasting ? context.Unbroadcast(gradient, input) : gradient);
            }
        }
    }

    private void Contribute(string value, string gradient)
    {
        if (!_pending.TryGetValue(value, out var list))
        {
            _pending[value] = list = [];
        }

        list.Add(gradient);
    }

    /// <summary>The gradient of a value: the sum of what its consumers contributed. Called once they all have.</summary>
    private string? Total(string value)
    {
        if (_totals.TryGetValue(value, out var total))
        {
            return total;
        }

        var parts = _pending.GetValueOrDefault(value);
        total = parts switch
        {
            null or [] => null,
            [var single] => single,
            [var a, var b] => graph.Op("Add", [a, b]),
            _ => graph.Op("Sum", parts.ToArray()),
        };
        _pending.Remove(value);
        _totals[value] = total;
        return total;
    }

    /// <summary>Removes the nodes appended by this pass whose outputs reach no gradient and no graph output.</summary>
    private void RemoveUnused(int firstAppended, IEnumerable<string> results)
    {
        var nodes = graph.Graph.Node;
        var live = new HashSet<string>(results.Concat(graph.Graph.Output.Select(o => o.Name)), StringComparer.Ordinal);
        for (var i = nodes.Count - 1; i >= firstAppended; i--)
        {
            if (nodes[i].Output.Any(live.Contains))
            {
                live.UnionWith(nodes[i].Input);
            }
            else
            {
                nodes.RemoveAt(i);
            }
        }
    }

    private static bool IsFloatingPoint(DataType type) =>
        type is DataType.Float or DataType.Double or DataType.Float16 or DataType.Bfloat16;
}
