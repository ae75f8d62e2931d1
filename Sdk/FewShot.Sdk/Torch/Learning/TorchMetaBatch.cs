using FewShot.Sdk.Models;
using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// Computes a meta-batch's averaged meta-gradient with a <see cref="TorchLearner"/>: the meta-parameters and the
/// gradient sums are tensors allocated once; a step leaves no tensor behind and memory stays flat. On the CPU with
/// two or more libtorch threads, a learner that <see cref="TorchLearner.SplitsAcrossThreads"/> runs its tasks side by
/// side on up to that many threads, which share libtorch's threads out (<see cref="TorchTaskThreads"/>; one each when
/// there are as many tasks); otherwise a meta-batch of equal-shaped tasks runs as one pass where the learner can and
/// that is faster (<see cref="TorchLearner.PrefersBatch"/>), else each task in its own dispose scope. Either way the
/// sum over tasks is taken in a fixed order, so the same thread count gives the same bits. On the CPU the first
/// meta-batch of each kind of meta-step also runs on libtorch's own convolution kernels, and libtorch's oneDNN is turned
/// off where the two disagree (<see cref="LibTorchOneDnn"/>). Not thread-safe: one per training loop.
/// </summary>
public sealed class TorchMetaBatch : IDisposable
{
    private readonly TorchLearner _learner;
    private readonly torch.Tensor[] _meta;
    private readonly torch.Tensor[] _sums;
    private readonly torch.Device _device;
    private TorchTaskThreads? _threads;
    private torch.Tensor[][] _threadSums = [];

    // The kinds of meta-step whose first meta-batch was compared with libtorch's own kernels (LibTorchOneDnn).
    private readonly HashSet<int> _oneDnnChecked = [];

    // The kinds of meta-step (TorchLearner.Regime) the current threads have each run once.
    private readonly HashSet<int> _regimesRun = [];

    // Cleared for good once a garbage collection ran beside the threads (TorchTaskThreads.OutgrewBudget): the meta-batches
    // then run on the caller's thread.
    private bool _sideBySide = true;

    /// <summary>Allocates the meta-parameter and gradient tensors for <paramref name="learner"/>'s algorithm on <paramref name="device"/>.</summary>
    public TorchMetaBatch(TorchLearner learner, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        _learner = learner;
        _device = device ?? torch.CPU;
        Specs = learner.Algorithm.MetaParameters;
        using var noGrad = torch.no_grad();
        _meta = Specs.Select(s => torch.zeros(s.Shape, device: _device).requires_grad_()).ToArray();
        _sums = Specs.Select(s => torch.zeros(s.Shape, device: _device)).ToArray();
    }

    /// <summary>
    /// True once a garbage collection ran beside the task threads and the meta-batches went back to the caller's
    /// thread for good (slower at 2+ threads; the same results within the parity bound). The trainer warns of it.
    /// </summary>
    internal bool SideBySideStopped => !_sideBySide;

    /// <summary>The threads the last meta-batches ran on side by side; null when they ran on the caller's thread.</summary>
    internal TorchTaskThreads? SideBySide => _sideBySide ? _threads : null;

    /// <summary>How many meta-batches ran with their threads in turn (the first of each kind of meta-step on new threads).</summary>
    internal int InTurnRuns { get; private set; }

    /// <summary>The meta-parameters, in order.</summary>
    public IReadOnlyList<ParameterSpec> Specs { get; }

    /// <summary>
    /// Runs every task of the meta-batch from the meta-parameters <paramref name="values"/> and writes the mean
    /// meta-gradient into <paramref name="gradients"/> (arrays shaped like <paramref name="values"/>).
    /// </summary>
    /// <param name="values">The meta-parameters.</param>
    /// <param name="tasks">The meta-batch.</param>
    /// <param name="gradients">Receives the mean meta-gradient.</param>
    /// <param name="iteration">The 0-based meta-iteration (staged algorithms' steps depend on it).</param>
    /// <returns>The mean query loss and metric over the tasks.</returns>
    public (double Loss, double Metric) Run(float[][] values, IReadOnlyList<TaskData> tasks, float[][] gradients, int iteration = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentOutOfRangeException.ThrowIfZero(tasks.Count);
        var result = RunOnce(values, tasks, gradients, iteration);
        if (_device.type != DeviceType.CPU || !LibTorchOneDnn.NeedsCheck || !_oneDnnChecked.Add(_learner.Regime))
        {
            return result;
        }

        // The first meta-batch of each kind again on libtorch's own kernels (LibTorchOneDnn says why).
        var reference = gradients.Select(g => new float[g.Length]).ToArray();
        LibTorchOneDnn.Set(false);
        var own = RunOnce(values, tasks, reference, iteration);
        var difference = LibTorchOneDnn.RelativeDifference(gradients, reference);
        LibTorchOneDnn.Measured(difference);
        if (difference <= LibTorchOneDnn.Tolerance)
        {
            LibTorchOneDnn.Set(true);
            return result;
        }

        LibTorchOneDnn.Reject(difference, $"{_learner.Algorithm.Name}'s first meta-batch");
        for (var p = 0; p < gradients.Length; p++)
        {
            reference[p].CopyTo(gradients[p], 0);
        }

        return own;
    }

    private (double Loss, double Metric) RunOnce(float[][] values, IReadOnlyList<TaskData> tasks, float[][] gradients, int iteration)
    {
        var threads = Threads(tasks.Count);
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            for (var p = 0; p < _meta.Length; p++)
            {
                _meta[p].copy_(torch.tensor(values[p], Specs[p].Shape));
                _sums[p].zero_();
            }
        }

        var (loss, metric) = (threads is null ? null : RunSideBySide(threads, tasks, iteration))
            ?? RunHere(tasks, Enumerable.Range(0, tasks.Count).ToArray(), _sums, iteration);

        for (var p = 0; p < _sums.Length; p++)
        {
            _sums[p].cpu().data<float>().CopyTo(gradients[p]);
        }

        return (loss, metric);
    }

    /// <summary>
    /// Runs the tasks at <paramref name="positions"/> on this thread, adds their share (1/|tasks| each) of the mean
    /// meta-gradient to <paramref name="sums"/> and returns their share of the mean loss and metric.
    /// </summary>
    private (double Loss, double Metric) RunHere(IReadOnlyList<TaskData> tasks, int[] positions, torch.Tensor[] sums, int iteration)
    {
        var share = positions.Select(i => tasks[i]).ToArray();
        var scale = 1.0 / tasks.Count;
        if (_learner.PrefersBatch && TorchTaskBatch.CanStack(share))
        {
            using var batchScope = torch.NewDisposeScope();
            var step = _learner.MetaStep(_meta, new TorchTaskBatch(share, _device), iteration);
            var part = (double)share.Length / tasks.Count;
            Accumulate(sums, step, part);
            return (step.Loss * part, step.Metric * part);
        }

        double loss = 0, metric = 0;
        foreach (var task in share)
        {
            using var taskScope = torch.NewDisposeScope();
            var step = _learner.MetaStep(_meta, new TorchTask(task, _device), iteration);
            loss += step.Loss * scale;
            metric += step.Metric * scale;
            Accumulate(sums, step, scale);
        }

        return (loss, metric);
    }

    /// <summary>
    /// Splits the tasks over the threads (thread w takes tasks w, w + W, …), each summing into its own tensors, then
    /// adds those in thread order; null, having run nothing, when the runtime would not hold off garbage collection.
    /// </summary>
    private (double Loss, double Metric)? RunSideBySide(TorchTaskThreads threads, IReadOnlyList<TaskData> tasks, int iteration)
    {
        // Each kind of meta-step a thread has not run yet runs in turn first (TorchTaskThreads.TryRun says why).
        var shares = new (double Loss, double Metric)[threads.Count];
        var inTurn = !_regimesRun.Contains(_learner.Regime);
        var ran = threads.TryRun(w =>
        {
            using var scope = torch.NewDisposeScope();
            using (torch.no_grad())
            {
                foreach (var sum in _threadSums[w])
                {
                    sum.zero_();
                }
            }

            var positions = Enumerable.Range(0, tasks.Count).Where(i => i % threads.Count == w).ToArray();
            shares[w] = RunHere(tasks, positions, _threadSums[w], iteration);
        }, inTurn);
        if (ran && inTurn)
        {
            _regimesRun.Add(_learner.Regime);
            InTurnRuns++;
        }

        _sideBySide = !threads.OutgrewBudget;
        if (!ran)
        {
            return null;
        }

        using var noGrad = torch.no_grad();
        foreach (var sums in _threadSums)
        {
            for (var p = 0; p < _sums.Length; p++)
            {
                _sums[p].add_(sums[p]);
            }
        }

        return (shares.Sum(s => s.Loss), shares.Sum(s => s.Metric));
    }

    /// <summary>The threads to run <paramref name="tasks"/> tasks side by side on, started on first use; null when they run here.</summary>
    private TorchTaskThreads? Threads(int tasks)
    {
        var threads = torch.get_num_threads();
        if (!_sideBySide || !_learner.SplitsAcrossThreads || threads < 2 || _device.type != DeviceType.CPU || tasks < 2
            || !TorchTaskThreads.KeepsPrimitives(Environment.GetEnvironmentVariable("LRU_CACHE_CAPACITY")))
        {
            return null;
        }

        var count = Math.Min(threads, tasks);
        if (_threads is { } existing && existing.Count == count && existing.IntraOpThreads == threads / count)
        {
            return existing;
        }

        DisposeThreads();
        _regimesRun.Clear();
        _threads = new TorchTaskThreads(count, threads / count);
        using var noGrad = torch.no_grad();
        _threadSums = Enumerable.Range(0, count).Select(_ => Specs.Select(s => torch.zeros(s.Shape, device: _device).DetachFromDisposeScope()).ToArray()).ToArray();
        return _threads;
    }

    private void DisposeThreads()
    {
        _threads?.Dispose();
        _threads = null;
        foreach (var tensor in _threadSums.SelectMany(t => t))
        {
            tensor.Dispose();
        }

        _threadSums = [];
    }

    private static void Accumulate(torch.Tensor[] sums, TorchTaskStep step, double scale)
    {
        using var noGrad = torch.no_grad();
        for (var p = 0; p < sums.Length; p++)
        {
            sums[p].add_(step.Gradients[p], alpha: scale);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DisposeThreads();
        foreach (var tensor in _meta.Concat(_sums))
        {
            tensor.Dispose();
        }
    }
}
