using System.Runtime;
using System.Runtime.ExceptionServices;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// Long-lived threads that run a meta-batch's tasks side by side, each with its own libtorch intra-op thread count.
/// A few-shot task's convolutions are small: two tasks on two cores kept both busy where one task at a time on two
/// intra-op threads left them waiting on each other (conv4 MAML and FOMAML 5-way 1-shot, meta-batch 4, 2 cores:
/// 1.08–1.45× the tasks/s of the one-pass meta-batch at about 0.6× its peak RSS, and 0.93–1.47× one task at a time;
/// benchmarks/README.md).
/// Disposing stops the threads. Not thread-safe: one caller at a time.
/// </summary>
internal sealed class TorchTaskThreads : IDisposable
{
    /// <summary>The largest budget of managed memory for one side-by-side <see cref="TryRun"/> with no garbage collection, and the budget of one before any run was measured.</summary>
    public const long MaximumCollectionFreeBytes = 64L << 20;

    /// <summary>The smallest budget.</summary>
    public const long MinimumCollectionFreeBytes = 8L << 20;

    // How many times the most that a run allocated the budget allows: a later run allocating more than that would put
    // the trainer back on one thread for good (TorchMetaBatch).
    private const long BudgetHeadroom = 8;

    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _go;
    private readonly CountdownEvent _done;
    private readonly ExceptionDispatchInfo?[] _errors;
    private Action<int>? _work;
    private volatile bool _stopping;
    private long _largestAllocation;

    /// <summary>
    /// Starts <paramref name="count"/> threads and returns once each has taken <paramref name="intraOpThreads"/> as its
    /// libtorch thread count; the calling thread keeps its own.
    /// </summary>
    public TorchTaskThreads(int count, int intraOpThreads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        IntraOpThreads = intraOpThreads;
        var callers = torch.get_num_threads();
        _go = Enumerable.Range(0, count).Select(_ => new SemaphoreSlim(0)).ToArray();
        _errors = new ExceptionDispatchInfo?[count];
        _done = new CountdownEvent(count);
        _threads = Enumerable.Range(0, count).Select(w => new Thread(() => Loop(w)) { IsBackground = true, Name = $"fewshot-task-{w}" }).ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }

        _done.Wait();

        // libtorch keeps one process-wide thread count, which a thread copies on its first operation (OpenMP then keeps
        // a count per thread): the workers set it to theirs; put the caller's back for threads still to start.
        torch.set_num_threads(callers);
        if (_errors.FirstOrDefault(e => e is not null) is { } failed)
        {
            Dispose();
            failed.Throw();
        }
    }

    /// <summary>
    /// False when the process's <c>LRU_CACHE_CAPACITY</c> (libtorch's ideep: how many oneDNN primitives each thread keeps,
    /// 1,024 by default) is below 256: the primitives are then made again on every call, and two threads making them
    /// side by side crashed every process (5 of 5; <see cref="TryRun"/>), so meta-batches stay on the caller's thread.
    /// </summary>
    public static bool KeepsPrimitives(string? lruCacheCapacity) =>
        lruCacheCapacity is null || !int.TryParse(lruCacheCapacity, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var capacity) || capacity >= 256;

    /// <summary>The number of threads.</summary>
    public int Count => _threads.Length;

    /// <summary>Each thread's libtorch intra-op thread count.</summary>
    public int IntraOpThreads { get; }

    /// <summary>
    /// The managed memory the threads may allocate in the next side-by-side <see cref="TryRun"/> with no garbage
    /// collection: 8 times the most that a run allocated so far (about 1.2 MB for a conv4 meta-batch of 4, measured on
    /// the runs in turn that come first), within <see cref="MinimumCollectionFreeBytes"/> and
    /// <see cref="MaximumCollectionFreeBytes"/>. Why not always the maximum: the budget ends up in the process's resident
    /// memory; a 2-thread maml-1 process peaked at 721–763 MB with 64 MB against 492–534 MB with 8 MB, with a third fewer
    /// page faults (benchmarks/README.md, meta-training, 2026-12-05, 22:58).
    /// </summary>
    public long CollectionFreeBytes => _largestAllocation == 0
        ? MaximumCollectionFreeBytes
        : Math.Clamp(_largestAllocation * BudgetHeadroom, MinimumCollectionFreeBytes, MaximumCollectionFreeBytes);

    /// <summary>True once a run's allocations outgrew <see cref="CollectionFreeBytes"/>, so that a collection may have run beside the threads.</summary>
    public bool OutgrewBudget { get; private set; }

    /// <summary>
    /// Runs <paramref name="work"/>(w) on thread w for every w, waits for all, and rethrows the first failure (by
    /// thread). Side by side, no garbage collection runs meanwhile unless the threads allocate more than
    /// <see cref="CollectionFreeBytes"/> (then <see cref="OutgrewBudget"/>). Why: TorchSharp 0.107 hands libtorch the
    /// native handle of a temporary <see cref="Scalar"/> without keeping the managed object alive for the call (see
    /// <see cref="TorchSetup.NoBackgroundCollection"/>); a collection that one thread's allocation starts could finalize a
    /// scalar that another thread's libtorch call is still reading.
    /// </summary>
    /// <returns>False, having run nothing, when the runtime would not hold off collection (the process is already in a no-GC region, or the budget is more than it allows).</returns>
    /// <param name="work">Thread w's share.</param>
    /// <param name="inTurn">
    /// Run the threads one after another instead of side by side. libtorch 2.10's oneDNN convolutions (its AVX-512
    /// brgemm kernels) crashed the process with a null write when two threads met the same convolution for the first
    /// time together (`fewshot bench train --threads 2`, an AMD Zen 5 VM: 6 crashed processes in 30 of maml-1 and
    /// maml-5; with each thread's first meta-batch in turn, none in 85 of maml-1, maml-5, fomaml-1 and fomaml-5);
    /// once each thread has run a computation, later runs of it side by side did not crash. In turn, one thread at a time
    /// runs TorchSharp code, as in a 1-thread training, so no region is needed; the run measures what the threads
    /// allocate for <see cref="CollectionFreeBytes"/>.
    /// </param>
    public bool TryRun(Action<int> work, bool inTurn = false)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_stopping, this);
        var guarded = !inTurn;
        if (guarded && !StartCollectionFreeRegion(CollectionFreeBytes))
        {
            return false;
        }

        var collections = GC.CollectionCount(0);
        var allocated = GC.GetTotalAllocatedBytes();
        Array.Clear(_errors);
        _work = work;
        try
        {
            if (inTurn)
            {
                foreach (var go in _go)
                {
                    _done.Reset(1);
                    go.Release();
                    _done.Wait();
                }
            }
            else
            {
                _done.Reset(_go.Length);
                foreach (var go in _go)
                {
                    go.Release();
                }

                _done.Wait();
            }
        }
        finally
        {
            _work = null;

            _largestAllocation = Math.Max(_largestAllocation, GC.GetTotalAllocatedBytes() - allocated);

            // The region can end early without a collection (seen on a first meta-batch): what matters is whether one ran.
            OutgrewBudget |= guarded && GC.CollectionCount(0) != collections;
            if (guarded && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                try
                {
                    GC.EndNoGCRegion();
                }
                catch (InvalidOperationException)
                {
                    // The runtime reports a region that was outgrown or collected in here too.
                    OutgrewBudget = true;
                }
            }
        }

        foreach (var error in _errors)
        {
            error?.Throw();
        }

        return true;
    }

    private static bool StartCollectionFreeRegion(long budget)
    {
        try
        {
            return GC.TryStartNoGCRegion(budget);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private void Loop(int worker)
    {
        try
        {
            TorchSetup.Initialize(IntraOpThreads);
        }
        catch (Exception e)
        {
            _errors[worker] = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _done.Signal();
        }

        while (true)
        {
            _go[worker].Wait();
            if (_stopping)
            {
                return;
            }

            try
            {
                _work!(worker);
            }
            catch (Exception e)
            {
                _errors[worker] = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _done.Signal();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        foreach (var go in _go)
        {
            go.Release();
        }

        foreach (var thread in _threads)
        {
            thread.Join();
        }

        foreach (var go in _go)
        {
            go.Dispose();
        }

        _done.Dispose();
    }
}
