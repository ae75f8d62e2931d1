using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using Google.Protobuf;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// What a gradient rule may use while it writes backward nodes: the graph, deduplicated constants, cached shape
/// tensors, the static shapes of values and broadcast reduction. One context serves one
/// <see cref="Gradients.Append"/> call; it is not thread-safe.
/// </summary>
public sealed class GradientContext
{
    private readonly ShapeInference _shapes;
    private readonly HashSet<string> _differentiated;
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _shapeTensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _zeros = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _computed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly IReadOnlySet<string> _pinned;
    private NodeProto? _node;

    internal GradientContext(GraphBuilder graph, HashSet<string> differentiated, IReadOnlySet<string> pinned)
    {
        Graph = graph;
        _differentiated = differentiated;
        _pinned = pinned;
        _shapes = new ShapeInference(graph);
        foreach (var node in graph.Graph.Node)
        {
            foreach (var output in node.Output)
            {
                _producers[output] = node;
            }

            // Reuse what the graph already computes (the forward pass, earlier passes such as an unrolled loop's steps).
            if (node.OpType == "Constant")
            {
                if (node.Tensor("value") is { } tensor && Key(tensor) is { } key)
                {
                    _constants.TryAdd(key, node.Output[0]);
                }
            }
            else if (node.Output.Count == 1 && node.Domain.Length == 0 && node.DocString.Length == 0)
            {
                // Stop-gradient markers carry a doc string and are never shared; rules emit no random operators to match others.
                _computed.TryAdd(Key(node.OpType, node.Input, node.Attribute), node.Output[0]);
            }
        }
    }

    /// <summary>The graph that backward nodes are appended to.</summary>
    public GraphBuilder Graph { get; }

    /// <summary>True when the gradient of input <paramref name="inputIndex"/> of the node being differentiated is needed.</summary>
    /// <remarks>Rules may compute every gradient regardless; unused nodes are removed afterwards. Rules that cannot
    /// differentiate some input (an attribute-like tensor, say) use this to fail only when that gradient is wanted.</remarks>
    public bool NeedsGradient(int inputIndex) =>
        _node is not null && _node.OptionalInput(inputIndex) is { } input && _differentiated.Contains(input);

    /// <summary>
    /// The output of <paramref name="opType"/> applied to <paramref name="inputs"/>: an existing node's when the graph already
    /// computes exactly that (same op, inputs and attributes), else a new node's. Rules emit deterministic operators only,
    /// so sharing is exact; it keeps repeated transposes, shapes and masks out of gradient graphs.
    /// </summary>
    public string Op(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        var key = Key(opType, inputs, attributes);
        if (!_computed.TryGetValue(key, out var output))
        {
            _computed[key] = output = Graph.Op(opType, inputs, attributes);
        }

        return output;
    }

    /// <summary>The node of the graph (as it was when differentiation began) that computes <paramref name="value"/>, or null for inputs and initializers.</summary>
    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>
    /// True when a <see cref="CompositeRule"/> may treat <paramref name="value"/> as an inner value of its composition:
    /// it is computed by a node, and is neither differentiated with respect to nor marked stop-gradient by the caller
    /// (either would need the composition's primitives one by one).
    /// </summary>
    public bool IsInner(string value) => _producers.ContainsKey(value) && !_pinned.Contains(value);

    /// <summary>True when a gradient flows into <paramref name="value"/> (it depends on what is differentiated).</summary>
    public bool IsDifferentiated(string value) => _differentiated.Contains(value);

    /// <summary>A rank-0 constant with the element type of <paramref name="like"/> (one Constant node per distinct value).</summary>
    public string Scalar(double value, string like) => Constant(TensorData.Scalar("", Graph.ElementTypeOf(like), value));

    /// <summary>A 1-D int64 constant, as used for axes, shapes and slice bounds (deduplicated).</summary>
    public string Int64s(params long[] values) => Constant(TensorData.Int64("", [values.LongLength], values));

    /// <summary>A Constant node holding <paramref name="value"/>, shared with any identical small constant of the graph.</summary>
    public string Constant(TensorProto value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var key = Key(value);
        if (key is not null && _constants.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var name = Graph.Constant(value);
        if (key is not null)
        {
            _constants[key] = name;
        }

        return name;
    }

    /// <summary>The static shape of a value (dimensions may be symbols; unknown sizes are fresh symbols starting with '?'), or null when its rank is unknown.</summary>
    public IReadOnlyList<Dim>? StaticShape(string value) => _shapes.Shape(value);

    /// <summary>The rank of a value.</summary>
    /// <exception cref="InvalidOperationException">The rank cannot be told from the graph.</exception>
    public int Rank(string value) =>
        _shapes.Shape(value)?.Count ?? throw Unsupported($"the rank of '{value}' cannot be inferred; give the graph's inputs shapes");

    /// <summary>The contents of an int64 value that is constant (or whose contents follow from static shapes), else null.</summary>
    public long[]? ConstantInts(string? value) =>
        value is not null && _shapes.Value(value) is { } v && v.All(e => e.IsKnown) ? v.Select(e => e.Number).ToArray() : null;

    /// <summary>The tensor of a Constant node's output, else null.</summary>
    public TensorProto? ConstantTensor(string value) => _shapes.Constant(value);

    /// <summary>The single value of a floating-point constant with one element, else null.</summary>
    public double? ConstantScalar(string value) => _shapes.Constant(value) switch
    {
        { DataType: (int)DataType.Float } t when TensorData.ToFloats(t) is [var f] => f,
        { DataType: (int)DataType.Double } t when TensorData.ToDoubles(t) is [var d] => d,
        _ => null,
    };

    /// <summary>
    /// A 1-D int64 tensor holding the shape of <paramref name="value"/>: a constant when it is static, else a Shape node,
    /// shared by all values whose static shapes are the same (equal symbols denote equal sizes).
    /// </summary>
    public string ShapeOf(string value)
    {
        var shape = _shapes.Shape(value);
        if (shape is not null && shape.All(d => d.IsFixed))
        {
            return Int64s(shape.Select(d => d.Value!.Value).ToArray());
        }

        var signature = shape is null ? $"value {value}" : string.Join(',', shape);
        if (!_shapeTensors.TryGetValue(signature, out var tensor))
        {
            _shapeTensors[signature] = tensor = Op("Shape", [value]);
        }

        return tensor;
    }

    /// <summary>A 1-D int64 tensor of one element: the size of <paramref name="value"/> along <paramref name="axis"/>.</summary>
    public string SizeAlong(string value, long axis)
    {
        var shape = _shapes.Shape(value);
        var a = shape is null ? axis : ShapeFunctions.Normalize(axis, shape.Count);
        return shape is not null && shape[(int)a].IsFixed ? Int64s(shape[(int)a].Value!.Value) : Op("Gather", [ShapeOf(value), Int64s(a)]);
    }

    /// <summary>Zeros with the shape and element type of <paramref name="like"/> (one ConstantOfShape per value).</summary>
    public string Zeros(string like) => ZerosOfShape(ShapeOf(like), like);

    /// <summary>Zeros of a static shape with the element type of <paramref name="like"/>.</summary>
    public string Zeros(long[] shape, string like) => ZerosOfShape(Int64s(shape), like);

    /// <summary>A 1-D tensor of zeros with as many elements as <paramref name="like"/> and its element type.</summary>
    public string FlatZeros(string like) =>
        StaticShape(like) is { } shape && shape.All(d => d.IsFixed)
            ? ZerosOfShape(Int64s(shape.Aggregate(1L, (p, d) => p * d.Value!.Value)), like)
            : Op("Reshape", [Zeros(like), Int64s(-1)]);

    /// <summary>
    /// numel(<paramref name="whole"/>) / numel(<paramref name="part"/>) as a scalar of whole's element type: how many
    /// elements a mean averaged. Static factors and symbols that both shapes share cancel; only the sizes of the
    /// remaining symbols (a batch size, say) are read at run time.
    /// </summary>
    public string ElementRatio(string whole, string part)
    {
        var (a, b) = (_shapes.Shape(whole), _shapes.Shape(part));
        var type = Graph.ElementTypeOf(whole);
        if (a is null || b is null || b.Any(d => !d.IsFixed && !a.Contains(d)))
        {
            return Op("Cast", [Op("Div", [Op("Size", [whole]), Op("Size", [part])])], Attr.Int("to", (long)type));
        }

        var remaining = a.Select((d, i) => (Dim: d, Axis: i)).Where(p => !p.Dim.IsFixed).ToList();
        foreach (var symbol in b.Where(d => !d.IsFixed))
        {
            remaining.RemoveAt(remaining.FindIndex(p => p.Dim == symbol));
        }

        var factor = (double)a.Where(d => d.IsFixed).Aggregate(1L, (p, d) => p * d.Value!.Value) / b.Where(d => d.IsFixed).Aggregate(1L, (p, d) => p * d.Value!.Value);
        if (remaining.Count == 0)
        {
            return Scalar(factor, whole);
        }

        var sizes = remaining.Select(p => Op("Gather", [ShapeOf(whole), Constant(TensorData.Scalar("", DataType.Int64, p.Axis))])).ToList();
        var count = Op("Cast", [sizes.Skip(1).Aggregate(sizes[0], (product, size) => Op("Mul", [product, size]))], Attr.Int("to", (long)type));
        return factor == 1 ? count : Op("Mul", [count, Scalar(factor, whole)]);
    }

    /// <summary>Sums a gradient over the axes along which <paramref name="target"/> was broadcast, giving it target's shape.</summary>
    public string Unbroadcast(string gradient, string target) => BroadcastReduction.Reduce(this, gradient, target);

    /// <summary>An exception for a node that this context's current rule cannot differentiate, naming the op and node.</summary>
    public InvalidOperationException Unsupported(string reason) =>
        new(_node is null ? reason : $"cannot differentiate {_node.OpType} node {_node.Label()}: {reason}");

    internal void Begin(NodeProto node) => _node = node;

    /// <summary>Zeros of the shape that the 1-D int64 tensor <paramref name="shape"/> holds, with the element type of <paramref name="like"/>.</summary>
    public string ZerosOfShape(string shape, string like)
    {
        var type = Graph.ElementTypeOf(like);
        var key = $"{shape}|{type}";
        if (!_zeros.TryGetValue(key, out var zeros))
        {
            var value = TensorData.Scalar("", type, 0);
            value.Dims.Add(1);
            _zeros[key] = zeros = Op("ConstantOfShape", [shape], Attr.Tensor("value", value));
        }

        return zeros;
    }

    private static string Key(string opType, IEnumerable<string> inputs, IEnumerable<AttributeProto> attributes) =>
        $"{opType}({string.Join(',', inputs)}){string.Join(';', attributes.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => Convert.ToBase64String(a.ToByteArray())))}";

    private static string? Key(TensorProto tensor) =>
        tensor.HasRawData && tensor.RawData.Length <= 256
            ? $"{tensor.DataType}|{string.Join(',', tensor.Dims)}|{Convert.ToBase64String(tensor.RawData.Span)}"
            : null;
}
