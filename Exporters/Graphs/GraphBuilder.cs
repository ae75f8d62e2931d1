using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Graphs;

/// <summary>
/// Writes an ONNX graph: inputs, initializers, nodes and outputs, with value names kept unique.
/// It tracks the element type of every value it knows, so callers (the autodiff among them) can make
/// constants of the right type. Not thread-safe: one builder belongs to one writer.
/// </summary>
public sealed class GraphBuilder
{
    private readonly HashSet<string> _names;
    private readonly Dictionary<string, DataType> _types;
    private readonly Dictionary<string, IReadOnlyList<Dim>> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Starts an empty graph.</summary>
    /// <param name="name">The graph's name, stored in the model.</param>
    public GraphBuilder(string name = "fewshot")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Graph = new GraphProto { Name = name };
        _names = new(StringComparer.Ordinal);
        _types = new(StringComparer.Ordinal);
    }

    // A subgraph shares its parent's names, so that it reads the parent's values (ONNX subgraphs see their outer scope) and
    // neither graph names a value the other already uses.
    private GraphBuilder(string name, GraphBuilder parent)
    {
        Graph = new GraphProto { Name = name };
        _names = parent._names;
        _types = new(parent._types, StringComparer.Ordinal);
    }

    private GraphBuilder(GraphProto graph)
    {
        Graph = graph;
        _names = new(StringComparer.Ordinal);
        _types = new(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            Remember(input);
        }

        foreach (var initializer in graph.Initializer)
        {
            _names.Add(initializer.Name);
            _types[initializer.Name] = (DataType)initializer.DataType;
            _shapes[initializer.Name] = initializer.Dims.Select(d => (Dim)d).ToArray();
            _initializers[initializer.Name] = initializer;
        }

        foreach (var node in graph.Node)
        {
            _names.Add(node.Name);
            foreach (var output in node.Output)
            {
                _names.Add(output);
            }

            InferTypes(node);
        }

        foreach (var info in graph.Output.Concat(graph.ValueInfo))
        {
            Remember(info);
        }
    }

    /// <summary>The graph being written. Edits made through this builder appear here at once.</summary>
    public GraphProto Graph { get; }

    /// <summary>Continues writing an existing graph (for example to append gradient nodes). The graph is edited in place.</summary>
    public static GraphBuilder Edit(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return new GraphBuilder(graph);
    }

    /// <summary>
    /// Starts a subgraph of this graph (the body of Scan or Loop, a branch of If): it may read every value this graph has
    /// when it is started, and no value name of either graph repeats in the other. Attach it with <see cref="Attr.Graph"/>.
    /// </summary>
    public GraphBuilder Subgraph(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new GraphBuilder(name, this);
    }

    /// <summary>Adds a graph input of the given element type and shape, and returns its name.</summary>
    /// <exception cref="ArgumentException">The name is already used in this graph.</exception>
    public string Input(string name, DataType elementType, params Dim[] shape)
    {
        Claim(name);
        var info = ValueInfo(name, elementType, shape);
        Graph.Input.Add(info);
        Remember(info);
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output, with an optional shape.</summary>
    /// <exception cref="InvalidOperationException">The value's element type is unknown, or it is already an output.</exception>
    public void Output(string value, IReadOnlyList<Dim>? shape = null)
    {
        var type = ElementTypeOf(value);
        if (Graph.Output.Any(o => o.Name == value))
        {
            throw new InvalidOperationException($"'{value}' is already an output of graph '{Graph.Name}'");
        }

        Graph.Output.Add(ValueInfo(value, type, shape ?? (TryGetShape(value, out var known) ? known : null)));
    }

    /// <summary>Adds an initializer (a named constant tensor that the runtime may override when it is also an input).</summary>
    /// <returns>The initializer's name.</returns>
    /// <exception cref="ArgumentException">The name is already used in this graph.</exception>
    public string Initializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Claim(tensor.Name);
        Graph.Initializer.Add(tensor);
        _initializers[tensor.Name] = tensor;
        _types[tensor.Name] = (DataType)tensor.DataType;
        _shapes[tensor.Name] = tensor.Dims.Select(d => (Dim)d).ToArray();
        return tensor.Name;
    }

    /// <summary>The initializer of the given name, if the graph has one.</summary>
    public bool TryGetInitializer(string name, out TensorProto tensor) => _initializers.TryGetValue(name, out tensor!);

    /// <summary>Adds a Constant node holding <paramref name="value"/> and returns the constant's value name.</summary>
    public string Constant(TensorProto value, string nameHint = "const")
    {
        ArgumentNullException.ThrowIfNull(value);
        var output = UniqueName(nameHint);
        var tensor = value.Clone();
        tensor.Name = output;
        Node("Constant", [], [output], Attr.Tensor("value", tensor));
        _shapes[output] = tensor.Dims.Select(d => (Dim)d).ToArray();
        return output;
    }

    /// <summary>A rank-0 constant of the given type.</summary>
    public string Scalar(double value, DataType type = DataType.Float) => Constant(TensorData.Scalar("", type, value), "scalar");

    /// <summary>A 1-D int64 constant, as used for axes, shapes and slice bounds.</summary>
    public string Int64s(params long[] values) => Constant(TensorData.Int64("", [values.LongLength], values), "ints");

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    /// <param name="opType">The ONNX operator, in the default domain.</param>
    /// <param name="inputs">Input value names; an empty string marks an omitted optional input.</param>
    /// <param name="attributes">The node's attributes.</param>
    public string Op(string opType, string[] inputs, params AttributeProto[] attributes) =>
        OpN(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public string[] OpN(string opType, string[] inputs, int outputCount, params AttributeProto[] attributes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            outputs[i] = UniqueName(opType);
        }

        Node(opType, inputs, outputs, attributes);
        return outputs;
    }

    /// <summary>Adds a node whose output names the caller chose (each must be unused).</summary>
    /// <exception cref="ArgumentException">An input is unknown to this graph or an output name is taken.</exception>
    public NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        foreach (var input in inputs)
        {
            if (input.Length != 0 && !_names.Contains(input))
            {
                throw new ArgumentException($"{opType} reads '{input}', which is not a value of graph '{Graph.Name}'", nameof(inputs));
            }
        }

        foreach (var output in outputs)
        {
            if (!_names.Contains(output) || _types.ContainsKey(output))
            {
                Claim(output);
            }
        }

        var node = new NodeProto { OpType = opType, Name = UniqueName($"{opType}_node") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        InferTypes(node);
        return node;
    }

    /// <summary>
    /// Gives an existing node of this graph one more output (an optional output it did not produce yet, such as
    /// MaxPool's Indices) and returns the new output's name, whose element type is then tracked.
    /// </summary>
    public string AddOutput(NodeProto node, string nameHint)
    {
        ArgumentNullException.ThrowIfNull(node);
        var output = UniqueName(nameHint);
        node.Output.Add(output);
        InferTypes(node);
        return output;
    }

    /// <summary>Returns a name, based on <paramref name="hint"/>, that no value or node of this graph uses yet, and reserves it.</summary>
    public string UniqueName(string hint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hint);
        var name = hint;
        while (!_names.Add(name))
        {
            name = $"{hint}_{++_counter}";
        }

        return name;
    }

    /// <summary>The element type of a value, when the builder knows it.</summary>
    public bool TryGetElementType(string value, out DataType type) => _types.TryGetValue(value, out type);

    /// <summary>The element type of a value.</summary>
    /// <exception cref="InvalidOperationException">The builder does not know the value's type.</exception>
    public DataType ElementTypeOf(string value) =>
        _types.TryGetValue(value, out var type)
            ? type
            : throw new InvalidOperationException($"the element type of '{value}' in graph '{Graph.Name}' is unknown");

    /// <summary>The shape of a graph input or initializer, or of a value whose shape was recorded.</summary>
    public bool TryGetShape(string value, out IReadOnlyList<Dim> shape) => _shapes.TryGetValue(value, out shape!);

    /// <summary>Records the shape of a value, for example one that the caller computed.</summary>
    public void SetShape(string value, IReadOnlyList<Dim> shape) => _shapes[value] = shape;

    /// <summary>Wraps the graph in a model with FewShot's IR version and opset (<see cref="OnnxVersions"/>).</summary>
    /// <remarks>The model shares this builder's graph; serialize it, or clone it before editing further.</remarks>
    public ModelProto ToModel(string? docString = null)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxVersions.IrVersion,
            ProducerName = OnnxVersions.ProducerName,
            ProducerVersion = typeof(GraphBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Graph = Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxVersions.Opset });
        if (docString is not null)
        {
            model.DocString = docString;
        }

        return model;
    }

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_names.Add(name))
        {
            throw new ArgumentException($"the name '{name}' is already used in graph '{Graph.Name}'", nameof(name));
        }
    }

    private void Remember(ValueInfoProto info)
    {
        _names.Add(info.Name);
        if (info.Type?.TensorType is { } tensorType)
        {
            _types[info.Name] = (DataType)tensorType.ElemType;
            if (tensorType.Shape is { } shape)
            {
                _shapes[info.Name] = shape.Dim.Select(d => d.HasDimValue ? (Dim)d.DimValue : (Dim)d.DimParam).ToArray();
            }
        }
    }

    private void InferTypes(NodeProto node)
    {
        for (var i = 0; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length != 0 && ValueTypeInference.TryInfer(node, i, _types, out var type))
            {
                _types[node.Output[i]] = type;
            }
        }
    }

    private static ValueInfoProto ValueInfo(string name, DataType elementType, IReadOnlyList<Dim>? shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType };
        if (shape is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var dim in shape)
            {
                tensorType.Shape.Dim.Add(dim.IsFixed
                    ? new TensorShapeProto.Types.Dimension { DimValue = dim.Value!.Value }
                    : new TensorShapeProto.Types.Dimension { DimParam = dim.Symbol });
            }
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
