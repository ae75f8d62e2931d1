using System.Runtime.ExceptionServices;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Runs one body over a fixed number of shares side by side, as often as asked (once per adaptation step), the last share
/// on the calling thread and the others on the thread pool, without allocating per run: the work items, the countdown
/// and the body are made once. Not thread-safe: one caller runs it at a time.
/// </summary>
internal sealed class SideBySideRunner : IDisposable
{
    private readonly Action<int> _body;
    private readonly Share[] _others;
    private readonly CountdownEvent _pending;

    /// <param name="count">How many shares each run has (at least 1).</param>
    /// <param name="body">The work of share 0 … count − 1; it reads whatever changes between runs from state it shares with the caller.</param>
    public SideBySideRunner(int count, Action<int> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _body = body;
        _others = [.. Enumerable.Range(0, count - 1).Select(i => new Share(this, i))];
        _pending = new CountdownEvent(1);
    }

    /// <summary>Runs the body for every share and returns once all are done; the first failure is rethrown as itself (the calling thread's first).</summary>
    public void Run()
    {
        _pending.Reset(_others.Length);
        foreach (Share share in _others)
        {
            share.Failure = null;
            ThreadPool.UnsafeQueueUserWorkItem(share, preferLocal: false);
        }

        Exception? own = null;
        try
        {
            _body(_others.Length);
        }
        catch (Exception e)
        {
            own = e;
        }

        // Always awaited: the shares use buffers that the caller frees once this returns or throws.
        if (_others.Length > 0)
        {
            _pending.Wait();
        }

        if ((own ?? Array.Find(_others, s => s.Failure is not null)?.Failure) is { } failure)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    public void Dispose() => _pending.Dispose();

    private sealed class Share(SideBySideRunner owner, int index) : IThreadPoolWorkItem
    {
        public Exception? Failure { get; set; }

        public void Execute()
        {
            try
            {
                owner._body(index);
            }
            catch (Exception e)
            {
                Failure = e;
            }
            finally
            {
                owner._pending.Signal();
            }
        }
    }
}
