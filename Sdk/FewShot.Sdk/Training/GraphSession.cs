using FewShot.Exporters.Graphs;
using FewShot.Sdk.Algorithms;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Training;

/// <summary>
/// A compiled <see cref="TaskGraph"/> loaded into ONNX Runtime. Inputs and outputs are addressed by their index in
/// <see cref="TaskGraph.Inputs"/> / <see cref="TaskGraph.Outputs"/>; a run feeds all of the former and fetches all of the latter.
/// Thread-safe for concurrent runs (with their own values), as ORT sessions are.
/// </summary>
public sealed class GraphSession : IDisposable
{
    private readonly InferenceSession _session;

    // Runs that cannot be cancelled share one set of run options, so they allocate none.
    private readonly RunOptions _runOptions;

    /// <summary>Loads the graph.</summary>
    /// <param name="graph">The graph to load.</param>
    /// <param name="options">Threads, optimization and spinning; null for ORT's defaults.</param>
    /// <exception cref="OnnxRuntimeException">ORT rejects the graph or the options.</exception>
    public GraphSession(TaskGraph graph, GraphSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        using (var sessionOptions = (options ?? new GraphSessionOptions()).ToSessionOptions())
        {
            _session = new InferenceSession(OnnxModelFile.ToBytes(graph.Model), sessionOptions);
        }

        try
        {
            _runOptions = new RunOptions();
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

    /// <summary>Output values for this graph's runs, reused from run to run (see <see cref="GraphOutputs"/>); the caller owns and disposes them.</summary>
    public GraphOutputs CreateOutputs() => new(_session, Graph.Outputs);

    /// <summary>Runs the graph; <paramref name="outputs"/> then holds this run's results.</summary>
    /// <param name="inputs">One value per <see cref="TaskGraph.Inputs"/> entry, in order; not disposed by this call.</param>
    /// <param name="outputs">Outputs created by <see cref="CreateOutputs"/> of this session.</param>
    /// <param name="cancellationToken">Stops the run when cancelled; ORT checks between nodes. The default costs nothing.</param>
    /// <exception cref="OnnxRuntimeException">ORT fails the run (e.g. a wrong shape).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public void Run(OrtValue[] inputs, GraphOutputs outputs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (!cancellationToken.CanBeCanceled)
        {
            RunWith(_runOptions, inputs, outputs);
            return;
        }

        using var runOptions = new RunOptions();
        using (cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions))
        {
            try
            {
                RunWith(runOptions, inputs, outputs);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    private void RunWith(RunOptions runOptions, OrtValue[] inputs, GraphOutputs outputs)
    {
        if (outputs.IsPreallocated)
        {
            _session.Run(runOptions, Graph.Inputs, inputs, Graph.Outputs, outputs.Values);
        }
        else
        {
            outputs.Replace(_session.Run(runOptions, Graph.Inputs, inputs, Graph.Outputs));
        }
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
