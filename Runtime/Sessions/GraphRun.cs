using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Sessions;

/// <summary>
/// The run options of one call (cancellable when its token can be cancelled) and the translation of ONNX Runtime's
/// failures into FewShot's exceptions. Dispose after the call's last run.
/// </summary>
internal sealed class GraphRun : IDisposable
{
    // Runs that cannot be cancelled share one set of options: ORT only reads them, and nothing ever sets Terminate here.
    private static readonly RunOptions Uncancellable = new();

    private readonly RunOptions? _own;
    private readonly CancellationTokenRegistration _registration;
    private readonly CancellationToken _cancellationToken;

    /// <summary>Prepares the runs of one call.</summary>
    public GraphRun(CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        if (cancellationToken.CanBeCanceled)
        {
            _own = new RunOptions();
            RunOptions own = _own;
            _registration = cancellationToken.Register(() => own.Terminate = true);
        }
    }

    /// <summary>The options to pass to every run of this call.</summary>
    public RunOptions Options => _own ?? Uncancellable;

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
    }
}
