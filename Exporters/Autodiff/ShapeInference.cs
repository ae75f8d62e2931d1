using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// Static shapes of the values of a graph (symbolic dimensions included), and the contents of the small int64
/// tensors that describe shapes, so that gradient rules can emit constants instead of run-time shape arithmetic.
/// A size it cannot tell gets a fresh symbol ("?3"), which equals no other dimension. Nodes appended to the graph
/// after construction are picked up on the next query; nodes must not be removed while an instance is in use.
/// </summary>
internal sealed class ShapeInference
{
    private const int MaxTrackedElements = 64;

    private static readonly HashSet<string> SameShape = new(StringComparer.Ordinal)
    {
        "Identity", "Neg", "Sqrt", "Exp", "Log", "Abs", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softplus", "Reciprocal",
        "Sign", "Cast", "Not", "Softmax", "LogSoftmax", "Erf", "Floor", "Ceil", "Round", "BatchNormalization", "IsNaN",
        "IsInf", "Elu", "Selu", "HardSigmoid", "Clip", "Dropout", "ScatterElements", "ScatterND", "InstanceNormalization",
    };

    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or",
        "Xor", "Where", "Sum", "Max", "Min", "Mean", "PRelu", "Mod",
    };

    private readonly GraphBuilder _graph;
    private readonly Dictionary<string, IReadOnlyList<Dim>> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SymbolicInt[]> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _constants = new(StringComparer.Ordinal);
    private int _scanned;
    private int _fresh;

    public ShapeInference(GraphBuilder graph)
    {
        _graph = graph;
        var inputs = graph.Graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var initializer in graph.Graph.Initializer.Where(i => !inputs.Contains(i.Name)))
        {
            // An initializer that is also a graph input is only a default: the caller may feed another value.
            Remember(initializer.Name, initializer);
        }
    }

    /// <summary>The shape of a value, or null when even its rank is unknown.</summary>
    public IReadOnlyList<Dim>? Shape(string value)
    {
        CatchUp();
        return Known(value);
    }

    /// <summary>The contents of a small int64 tensor of rank 0 or 1, when they can be told before running.</summary>
    public SymbolicInt[]? Value(string value)
    {
        CatchUp();
        return _values.GetValueOrDefault(value);
    }

    /// <summary>The tensor behind a value that is a constant (a Constant node, or an initializer that is not an input).</summary>
    public TensorProto? Constant(string value)
    {
        CatchUp();
        return _constants.GetValueOrDefault(value);
    }

    /// <summary>The broadcast of several shapes (numpy rules), or null when one is unknown.</summary>
    public Dim[]? Broadcast(params IReadOnlyList<Dim>?[] shapes)
    {
        if (shapes.Length == 0 || shapes.Any(s => s is null))
        {
            return null;
        }

        var rank = shapes.Max(s => s!.Count);
        var result = new Dim[rank];
        for (var i = 0; i < rank; i++)
        {
            Dim? dim = null;
            foreach (var shape in shapes)
            {
                var j = i - (rank - shape!.Count);
                if (j >= 0)
                {
                    dim = dim is not { } d ? shape[j] : d == shape[j] || shape[j].Value == 1 ? d : d.Value == 1 ? shape[j] : d.IsFixed ? d : shape[j].IsFixed ? shape[j] : Fresh();
                }
            }

            result[i] = dim!.Value;
        }

        return result;
    }

    private Dim Fresh() => Dim.Symbolic($"?{++_fresh}");

    private IReadOnlyList<Dim>? Known(string value) =>
        _shapes.TryGetValue(value, out var shape) ? shape : _graph.TryGetShape(value, out var recorded) ? recorded : null;

    private long[]? Ints(string? value) =>
        value is not null && _values.TryGetValue(value, out var v) && v.All(e => e.IsKnown) ? v.Select(e => e.Number).ToArray() : null;

    private Dim[]? AsShape(string? value)
    {
        var v = value is null ? null : _values.GetValueOrDefault(value);
        var dims = v?.Select(e => e.ToDim()).ToArray();
        return dims is null || dims.Any(d => d is null) ? null : dims.Select(d => d!.Value).ToArray();
    }

    private void CatchUp()
    {
        var nodes = _graph.Graph.Node;
        for (; _scanned < nodes.Count; _scanned++)
        {
            var node = nodes[_scanned];
            if (node.Domain.Length != 0 && node.Domain != "ai.onnx")
            {
                continue;
            }

            if (node.OpType == "Constant" && node.Tensor("value") is { } tensor)
            {
                Remember(node.Output[0], tensor);
                continue;
            }

            var shape = Infer(node);
            for (var i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i].Length != 0 && (i == 0 || node.OpType == "MaxPool") && shape is not null)
                {
                    _shapes[node.Output[i]] = shape;
                }
            }

            if (node.Output.Count > 0 && ValueOf(node) is { Length: <= MaxTrackedElements } value)
            {
                _values[node.Output[0]] = value;
            }
        }
    }

    private void Remember(string name, TensorProto tensor)
    {
        _constants[name] = tensor;
        _shapes[name] = tensor.Dims.Select(d => (Dim)d).ToArray();
        if (tensor.DataType == (int)DataType.Int64 && tensor.Dims.Count <= 1 && TensorData.ElementCount(tensor.Dims.ToArray()) <= MaxTrackedElements)
        {
            _values[name] = TensorData.ToInt64s(tensor).Select(n => new SymbolicInt(n, null)).ToArray();
        }
    }

    private IReadOnlyList<Dim>? Infer(NodeProto node)
    {
        IReadOnlyList<Dim>? In(int i) => node.OptionalInput(i) is { } name ? Known(name) : null;
        var x = In(0);
        if (SameShape.Contains(node.OpType))
        {
            return x;
        }

        if (Broadcasting.Contains(node.OpType))
        {
            return Broadcast(Enumerable.Range(0, node.Input.Count).Select(In).ToArray());
        }

        var rank = x?.Count ?? 0;
        return node.OpType switch
        {
            "MatMul" => SpatialShapes.MatMul(x, In(1), (a, b) => Broadcast(a, b)),
            "Gemm" => SpatialShapes.Gemm(node, x, In(1)),
            "Conv" => SpatialShapes.Window(node, x, In(1)?[0], node.Ints("kernel_shape")?.Select(k => (Dim)k).ToArray() ?? In(1)?.Skip(2).ToArray(), Fresh),
            "MaxPool" or "AveragePool" => SpatialShapes.Window(node, x, x?[1], node.Ints("kernel_shape")?.Select(k => (Dim)k).ToArray(), Fresh),
            "ConvTranspose" => SpatialShapes.ConvTranspose(node, x, In(1), Fresh),
            "GlobalAveragePool" or "GlobalMaxPool" => SpatialShapes.GlobalPool(x),
            "ReduceSum" => x is null ? null : Ints(node.OptionalInput(1)) is { Length: > 0 } axes ? ShapeFunctions.Reduce(x, axes, node)
                : node.Int("noop_with_empty_axes", 0) == 1 && node.OptionalInput(1) is null ? x
                : node.OptionalInput(1) is null ? ShapeFunctions.Reduce(x, null, node) : null,
            "ReduceMean" or "ReduceMax" or "ReduceMin" or "ReduceProd" or "ReduceL2" or "ReduceSumSquare" or "ReduceLogSumExp" =>
                x is null ? null : ShapeFunctions.Reduce(x, node.Ints("axes"), node),
            "ArgMax" or "ArgMin" => x is null ? null : ShapeFunctions.Reduce(x, [node.Int("axis", 0)], node),
            "Reshape" => ShapeFunctions.Reshape(x, node.OptionalInput(1) is { } s ? _values.GetValueOrDefault(s) : null, Fresh),
            "Flatten" => x is null ? null : ShapeFunctions.Flatten(x, (int)ShapeFunctions.Normalize(node.Int("axis", 1), rank), Fresh),
            "Transpose" => x is null ? null : (node.Ints("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray()).Select(p => x[(int)p]).ToArray(),
            "Squeeze" => ShapeFunctions.Squeeze(x, Ints(node.OptionalInput(1))),
            "Unsqueeze" => ShapeFunctions.Unsqueeze(x, Ints(node.OptionalInput(1))),
            "Concat" => ShapeFunctions.Concat(node.Input.Select(i => Known(i)).ToArray(), node.Int("axis", 0), Fresh),
            "Slice" => Slice(x, node),
            "Gather" => In(1) is { } indices && x is not null
                ? [.. x.Take((int)ShapeFunctions.Normalize(node.Int("axis", 0), rank)), .. indices, .. x.Skip((int)ShapeFunctions.Normalize(node.Int("axis", 0), rank) + 1)]
                : null,
            "GatherElements" => In(1),
            "GatherND" => In(1) is { Count: > 0 } indices && indices[^1].IsFixed && x is not null
                ? [.. indices.Take(indices.Count - 1), .. x.Skip((int)indices[^1].Value!.Value)]
                : null,
            "Expand" => Broadcast(x, AsShape(node.OptionalInput(1))),
            "Shape" => x is null ? null : [ShapeFunctions.ShapeSlice(node, x).Length],
            "Size" => [],
            "ConstantOfShape" => AsShape(node.Input[0]),
            "Range" => [Ints(node.Input[0]) is [var start] && Ints(node.Input[1]) is [var limit] && Ints(node.Input[2]) is [var delta] && delta != 0
                ? Math.Max(0, (limit - start + delta - Math.Sign(delta)) / delta) : Fresh()],
            "NonZero" => x is null ? null : [rank, Fresh()],
            "Pad" => ShapeFunctions.Pad(x, Ints(node.OptionalInput(1))),
            "SpaceToDepth" => Blocks(x, node.Int("blocksize", 1), toDepth: true),
            "DepthToSpace" => Blocks(x, node.Int("blocksize", 1), toDepth: false),
            "Resize" => Resized(x, node),
            _ => null,
        };
    }

    /// <summary>SpaceToDepth: [N, C, H, W] → [N, C·b², H/b, W/b]; DepthToSpace the reverse. Unknown sizes stay unknown.</summary>
    private Dim[]? Blocks(IReadOnlyList<Dim>? x, long b, bool toDepth)
    {
        if (x is not { Count: 4 } || b <= 0)
        {
            return null;
        }

        Dim Times(Dim d, long f) => d.IsFixed ? d.Value!.Value * f : Fresh();
        Dim Over(Dim d, long f) => d.IsFixed ? d.Value!.Value / f : Fresh();
        return toDepth
            ? [x[0], Times(x[1], b * b), Over(x[2], b), Over(x[3], b)]
            : [x[0], Over(x[1], b * b), Times(x[2], b), Times(x[3], b)];
    }

    /// <summary>Resize's output: its sizes input when given, else each size times its scale (floor), where both are known.</summary>
    private Dim[]? Resized(IReadOnlyList<Dim>? x, NodeProto node)
    {
        if (node.OptionalInput(3) is { } sizes)
        {
            return AsShape(sizes);
        }

        var scales = node.OptionalInput(2) is { } name && _constants.GetValueOrDefault(name) is { DataType: (int)DataType.Float } t ? TensorData.ToFloats(t) : null;
        return x is null || scales is null || scales.Length != x.Count ? null
            : x.Select((d, i) => scales[i] == 1 ? d : d.IsFixed ? (long)Math.Floor(d.Value!.Value * (double)scales[i]) : Fresh()).ToArray();
    }

    private Dim[]? Slice(IReadOnlyList<Dim>? x, NodeProto node)
    {
        var (starts, ends) = (Ints(node.OptionalInput(1)), Ints(node.OptionalInput(2)));
        if (x is null)
        {
            return null;
        }

        var axes = Ints(node.OptionalInput(3)) ?? (node.OptionalInput(3) is null && starts is not null ? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray() : null);
        var steps = Ints(node.OptionalInput(4)) ?? (node.OptionalInput(4) is null && starts is not null ? SpatialShapes.Ones(starts.Length) : null);
        if (starts is null || ends is null || axes is null || steps is null)
        {
            return axes is null ? x.Select(_ => Fresh()).ToArray() : x.Select((d, i) => axes.Any(a => ShapeFunctions.Normalize(a, x.Count) == i) ? Fresh() : d).ToArray();
        }

        var result = x.ToArray();
        for (var k = 0; k < axes.Length; k++)
        {
            var a = (int)ShapeFunctions.Normalize(axes[k], x.Count);
            // A symbolic size stays itself where the slice takes the whole axis (start 0, end past any size, step 1).
            result[a] = x[a].IsFixed ? ShapeFunctions.SliceLength(x[a].Value!.Value, starts[k], ends[k], steps[k])
                : starts[k] == 0 && ends[k] >= int.MaxValue && steps[k] == 1 ? x[a] : Fresh();
        }

        return result;
    }

    private SymbolicInt[]? ValueOf(NodeProto node)
    {
        var first = node.OptionalInput(0) is { } name ? _values.GetValueOrDefault(name) : null;
        switch (node.OpType)
        {
            case "Shape":
                return Known(node.Input[0]) is { } shape ? ShapeFunctions.ShapeSlice(node, shape).Select(SymbolicInt.Of).ToArray() : null;
            case "Identity" or "Reshape" or "Squeeze" or "Unsqueeze":
                return first;
            case "Cast" when node.Int("to", 0) == (long)DataType.Int64:
                return first;
            case "Concat":
                var parts = node.Input.Select(i => _values.GetValueOrDefault(i)).ToArray();
                return parts.All(p => p is not null) ? parts.SelectMany(p => p!).ToArray() : null;
            case "Gather" when first is not null && Ints(node.Input[1]) is { } indices:
                return indices.All(i => i >= -first.Length && i < first.Length) ? indices.Select(i => first[i < 0 ? i + first.Length : i]).ToArray() : null;
            case "Slice" when first is not null && Ints(node.OptionalInput(1)) is [var start] && Ints(node.OptionalInput(2)) is [var end]
                && (Ints(node.OptionalInput(4)) ?? [1]) is [1]:
                var from = Math.Clamp(start < 0 ? start + first.Length : start, 0, first.Length);
                var to = Math.Clamp(end < 0 ? end + first.Length : end, 0, first.Length);
                return first.Skip((int)from).Take((int)Math.Max(0, to - from)).ToArray();
            default:
                return null;
        }
    }

}
