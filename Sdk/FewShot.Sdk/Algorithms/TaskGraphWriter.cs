using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Writes one of an algorithm's graphs with the input and output names of <see cref="GraphNames"/>: parameters
/// and task tensors as graph inputs, named outputs with declared shapes (the ONNX checker requires them).
/// </summary>
internal sealed class TaskGraphWriter
{
    private readonly IFewShotModel _model;
    private readonly TaskKind _task;
    private readonly List<string> _inputs = [];
    private readonly List<string> _outputs = [];

    public TaskGraphWriter(string name, IFewShotModel model, TaskKind task)
    {
        Graph = new GraphBuilder(name);
        _model = model;
        _task = task;
    }

    public GraphBuilder Graph { get; }

    /// <summary>Declares every tensor of <paramref name="specs"/> a float input; returns name → value name (the same).</summary>
    public Dictionary<string, string> Parameters(IEnumerable<ParameterSpec> specs)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            values[spec.Name] = Input(spec.Name, DataType.Float, spec.Shape.Select(d => (Dim)d));
        }

        return values;
    }

    /// <summary>Inputs [count, ...input shape].</summary>
    public string Examples(string name, string count) => Input(name, DataType.Float, [(Dim)count, .. _model.InputShape.Select(d => (Dim)d)]);

    /// <summary>Labels [count] int64 for classification; targets [count, outputs] for regression; none for reconstruction.</summary>
    public string? Targets(string name, string count) => _task switch
    {
        TaskKind.Classification => Input(name, DataType.Int64, [count]),
        TaskKind.Regression => Input(name, DataType.Float, [count, _model.OutputSize]),
        _ => null,
    };

    /// <summary>Any other input.</summary>
    public string Input(string name, DataType type, IEnumerable<Dim> shape)
    {
        _inputs.Add(name);
        return Graph.Input(name, type, shape.ToArray());
    }

    /// <summary>Exposes <paramref name="value"/> as the graph output <paramref name="name"/> of the given shape.</summary>
    public void Output(string value, string name, IEnumerable<Dim> shape)
    {
        Graph.Node("Identity", [value], [name]);
        Graph.Output(name, shape.ToArray());
        _outputs.Add(name);
    }

    public TaskGraph Finish(TaskGraphRole role) => new(role, Graph.ToModel(), _inputs.ToArray(), _outputs.ToArray());
}
