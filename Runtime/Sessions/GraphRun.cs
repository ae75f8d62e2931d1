using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Sessions;

/// <summary>
/// The run options of one call (cancellable when its token can be cancelled) and the translation of ONNX Runtime's
/// failures into FewShot's exceptions. Dispose after the call's last run.
/// </summary>
internal sealed class GraphRun : IDisposable
{
    // ORT's run option that returns the CPU arena's unused chunks to the system when the run ends.
    private const string ShrinkArenaKey = "memory.enable_memory_arena_shrinkage";

    // Runs that cannot be cancelled share options: ORT only reads them, and nothing ever sets Terminate on these.
    private static readonly RunOptions Uncancellable = new();
    private static readonly RunOptions UncancellableReleasing = Create(releaseMemory: true);

    private readonly RunOptions? _own;
    private readonly RunOptions? _ownFinal;
    private readonly bool _releaseMemory;
    private readonly CancellationTokenRegistration _registration;
    private readonly CancellationToken _cancellationToken;

    /// <summary>Prepares the runs of one call.</summary>
    /// <param name="cancellationToken">Stops the call's runs.</param>
    /// <param name="releaseMemory">Whether the call's last run returns ONNX Runtime's unused arena memory (<see cref="FinalOptions"/>).</param>
    public GraphRun(CancellationToken cancellationToken, bool releaseMemory)
    {
        _cancellationToken = cancellationToken;
        _releaseMemory = releaseMemory;
        cancellationToken.ThrowIfCancellationRequested();
        if (cancellationToken.CanBeCanceled)
        {
            _own = Create(releaseMemory: false);
            _ownFinal = releaseMemory ? Create(releaseMemory: true) : null;
            RunOptions own = _own;
            RunOptions? ownFinal = _ownFinal;
            _registration = cancellationToken.Register(() =>
            {
                own.Terminate = true;
                ownFinal?.Terminate = true;
            });
        }
    }

    /// <summary>The options to pass to every run of this call but its last.</summary>
    public RunOptions Options => _own ?? Uncancellable;

    /// <summary>The options of the call's last run: they also shrink the CPU arena when the call releases memory.</summary>
    public RunOptions FinalOptions => !_releaseMemory ? Options : _ownFinal ?? UncancellableReleasing;

    /// <summary>Throws if the call was cancelled; checked between steps.</summary>
    public void ThrowIfCancelled() => _cancellationToken.ThrowIfCancellationRequested();

    /// <summary>Translates a failed run: cancellation stays cancellation; any other ORT failure becomes a <see cref="GraphRunException"/>.</summary>
    /// <param name="error">ONNX Runtime's exception.</param>
    /// <param name="graph">The bundle entry that ran.</param>
    /// <param name="stage">What was running, e.g. "adapt step 3" or "prediction of 75 queries".</param>
    /// <param name="meaning">What the failure likely means for the caller.</param>
    public Exception Failure(OnnxRuntimeException error, string graph, string stage, string meaning)
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The operation was cancelled while ONNX Runtime was running " + graph + ".", error, _cancellationToken);
        }

        return new GraphRunException(graph, $"ONNX Runtime failed running {graph} ({stage}): {error.Message.Trim()} {meaning}", error);
    }

    /// <summary>Releases the call's run options. Never throws.</summary>
    public void Dispose()
    {
        _registration.Dispose();
        _own?.Dispose();
        _ownFinal?.Dispose();
    }

    private static RunOptions Create(bool releaseMemory)
    {
        var options = new RunOptions();
        if (releaseMemory)
        {
            options.AddRunConfigEntry(ShrinkArenaKey, "cpu:0");
        }

        return options;
    }
}
