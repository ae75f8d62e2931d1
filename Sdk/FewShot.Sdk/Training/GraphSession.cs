using FewShot.Exporters.Graphs;
using FewShot.Runtime;
using FewShot.Sdk.Algorithms;

namespace FewShot.Sdk.Training;

/// <summary>
/// A compiled <see cref="TaskGraph"/> loaded into ONNX Runtime with a prepared runner (names marshaled once).
/// Inputs and outputs are addressed by their index in <see cref="TaskGraph.Inputs"/> / <see cref="TaskGraph.Outputs"/>.
/// Thread-safe for concurrent <see cref="Run"/> calls, as ORT sessions are.
/// </summary>
public sealed class GraphSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionRunner _runner;

    /// <summary>Loads the graph.</summary>
    public GraphSession(TaskGraph graph, InferenceSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        _session = new InferenceSession(OnnxModelFile.ToBytes(graph.Model), options);
        try
        {
            _runner = _session.CreateRunner(graph.Inputs, graph.Outputs);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The graph.</summary>
    public TaskGraph Graph { get; }

    /// <summary>The position of an input.</summary>
    /// <exception cref="KeyNotFoundException">The graph has no such input.</exception>
    public int InputIndex(string name) => IndexOf(Graph.Inputs, name, "input");

    /// <summary>The position of an output.</summary>
    /// <exception cref="KeyNotFoundException">The graph has no such output.</exception>
    public int OutputIndex(string name) => IndexOf(Graph.Outputs, name, "output");

    /// <summary>Runs the graph; null output slots receive fresh tensors that the caller owns and disposes.</summary>
    public void Run(ReadOnlySpan<OrtTensor> inputs, Span<OrtTensor?> outputs, CancellationToken cancellationToken = default) =>
        _runner.Run(inputs, outputs, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _runner.Dispose();
        _session.Dispose();
    }

    private int IndexOf(IReadOnlyList<string> names, string name, string what)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"graph '{Graph.Model.Graph.Name}' has no {what} named '{name}'");
    }
}
