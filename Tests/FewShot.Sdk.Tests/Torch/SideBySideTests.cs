using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// A meta-batch run side by side on threads (<see cref="TorchTaskThreads"/>) gives the meta-gradient one task at a time
/// gives, the same bits each time, each thread at its own libtorch thread count, no tensor left behind, and a failure
/// on a thread reaches the caller. Serial: the no-collection region is process-wide, and another test's side-by-side
/// training would hold it while these ask for it.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class SideBySideTests
{
    [Theory]
    [InlineData("maml-conv4")]
    [InlineData("fomaml-conv4")]
    [InlineData("anil-conv4")]
    [InlineData("maml-proto-conv4")]
    public void SideBySideIsTheMeanOfTheTasksRunOneAtATime(string name)
    {
        var (algorithm, values, _) = LearnerParityTests.Setup(name);
        TaskData[] tasks = [.. Enumerable.Range(0, 5).Select(seed => ParityTasks.Task(algorithm.Task, algorithm.Model, 40 + seed))];
        var (oneAtATime, oneLoss) = Run(algorithm, values, tasks, threads: 1, expectSideBySide: false);
        var (sideBySide, sideLoss) = Run(algorithm, values, tasks, threads: 2, expectSideBySide: true);
        var (again, againLoss) = Run(algorithm, values, tasks, threads: 2, expectSideBySide: true);

        Assert.Equal(oneLoss, sideLoss, 1e-6);
        ParityAssert.AllClose(sideBySide, oneAtATime, algorithm.MetaParameters.Select(s => s.Name).ToArray(), name);
        for (var p = 0; p < values.Length; p++)
        {
            Assert.Equal(sideBySide[p], again[p]);
        }

        Assert.Equal(sideLoss, againLoss);
    }

    [Theory]
    [InlineData("maml-mlp")]
    [InlineData("protonet-conv4")]
    public void LearnersThatDoNotSplitKeepTheirMetaBatchOnTheCallersThread(string name)
    {
        var (algorithm, values, _) = LearnerParityTests.Setup(name);
        TaskData[] tasks = [.. Enumerable.Range(0, 4).Select(seed => ParityTasks.Task(algorithm.Task, algorithm.Model, seed))];

        Run(algorithm, values, tasks, threads: 2, expectSideBySide: false);
    }

    [Fact]
    public void EachThreadRunsAtItsOwnLibTorchThreadCountAndTheCallerKeepsItsOwn()
    {
        WithCallerThreads(3, () =>
        {
            using var threads = new TorchTaskThreads(2, 1);
            var seen = new int[2];

            Assert.True(threads.TryRun(w => seen[w] = torch.get_num_threads()));

            Assert.Equal([1, 1], seen);
            Assert.Equal(3, torch.get_num_threads());
        });
    }

    [Fact]
    public void InTurnTheThreadsRunOneAfterAnotherInOrder()
    {
        using var threads = new TorchTaskThreads(2, 1);
        var running = 0;
        var most = 0;
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        void Work(int w)
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            order.Enqueue(w);
            Thread.Sleep(50);
            Interlocked.Decrement(ref running);
        }

        Assert.True(threads.TryRun(Work, inTurn: true));
        Assert.Equal(1, most);
        Assert.Equal([0, 1], order);

        Assert.True(threads.TryRun(Work));
        Assert.Equal(2, most);
    }

    [Fact]
    public void TheFirstMetaBatchOfEachKindRunsInTurnAndTheNextOnesSideBySideToTheSameBits()
    {
        var algorithm = new Maml(ParityTasks.Conv4(), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.1f });
        var values = algorithm.Initialize(new Random(2));
        TaskData[] tasks = [.. Enumerable.Range(0, 4).Select(seed => ParityTasks.Task(algorithm.Task, algorithm.Model, 60 + seed))];
        float[][] Gradients() => values.Select(v => new float[v.Length]).ToArray();
        WithCallerThreads(2, () =>
        {
            var learner = (TorchGradientLearner)TorchLearners.Create(algorithm);
            using var batch = new TorchMetaBatch(learner);
            var (first, second, firstOrder) = (Gradients(), Gradients(), Gradients());

            batch.Run(values, tasks, first);
            Assert.Equal(1, batch.InTurnRuns);
            batch.Run(values, tasks, second);
            Assert.Equal(1, batch.InTurnRuns);
            Assert.NotNull(batch.SideBySide);
            learner.Schedule = new MetaStepSchedule(FirstOrder: true);
            batch.Run(values, tasks, firstOrder);
            Assert.Equal(2, batch.InTurnRuns);
            batch.Run(values, tasks, Gradients());
            learner.Schedule = MetaStepSchedule.Default;
            batch.Run(values, tasks, Gradients());
            Assert.Equal(2, batch.InTurnRuns);

            for (var p = 0; p < values.Length; p++)
            {
                Assert.Equal(first[p], second[p]);
            }

            Assert.NotEqual(first[0], firstOrder[0]);
        });
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("1024", true)]
    [InlineData("256", true)]
    [InlineData("255", false)]
    [InlineData("0", false)]
    [InlineData("many", true)]
    public void ThreadsGoSideBySideOnlyWhereLibTorchKeepsItsPrimitives(string? capacity, bool keeps) =>
        Assert.Equal(keeps, TorchTaskThreads.KeepsPrimitives(capacity));

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    [Fact]
    public void AFailureOnAThreadReachesTheCallerAndTheThreadsRunOn()
    {
        using var threads = new TorchTaskThreads(2, 1);

        var error = Assert.Throws<InvalidDataException>(() => threads.TryRun(w => throw new InvalidDataException($"task on thread {w}")));
        Assert.Equal("task on thread 0", error.Message);

        var ran = new bool[2];
        Assert.True(threads.TryRun(w => ran[w] = true));
        Assert.Equal([true, true], ran);
    }

    [Fact]
    public void NoCollectionRunsBesideTheThreadsWithinTheBudget()
    {
        using var threads = new TorchTaskThreads(2, 1);
        var before = GC.CollectionCount(0);

        Assert.True(threads.TryRun(w => _ = Enumerable.Range(0, 20_000).Select(i => new object()).ToArray()));

        // TryStartNoGCRegion collects once on entering; nothing after that.
        Assert.True(GC.CollectionCount(0) - before <= 1);
        Assert.False(threads.OutgrewBudget);
    }

    [Fact]
    public void InsideAnotherNoCollectionRegionNothingRunsAndTheCallerIsTold()
    {
        using var threads = new TorchTaskThreads(2, 1);
        var ran = false;
        Assert.True(GC.TryStartNoGCRegion(32 << 20));
        try
        {
            Assert.False(threads.TryRun(w => ran = true));
        }
        finally
        {
            // Other tests' threads allocate too and may have ended the region; only ours to close if it is still on.
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        Assert.False(ran);
        Assert.True(threads.TryRun(w => ran = true));
        Assert.True(ran);
    }

    [Fact]
    public void AllocatingPastTheBudgetIsReported()
    {
        using var threads = new TorchTaskThreads(2, 1);

        Assert.True(threads.TryRun(w => _ = Enumerable.Range(0, 256).Select(i => new byte[1 << 20]).ToArray()));

        Assert.True(threads.OutgrewBudget);
        Assert.NotEqual(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
    }

    [Fact]
    public void TheBudgetFollowsWhatTheRunsInTurnAllocated()
    {
        using var threads = new TorchTaskThreads(2, 1);
        Assert.Equal(TorchTaskThreads.MaximumCollectionFreeBytes, threads.CollectionFreeBytes);

        // 2 MB in all, in turn: the next side-by-side run may allocate 8 times that.
        Assert.True(threads.TryRun(w => _ = new byte[1 << 20], inTurn: true));
        Assert.InRange(threads.CollectionFreeBytes, 16L << 20, 18L << 20);

        // A smaller run leaves the budget as it was; a run in turn past the largest budget is no overrun (one thread
        // at a time, as a 1-thread training), and the budget stops at its largest.
        Assert.True(threads.TryRun(w => _ = new byte[1 << 10]));
        Assert.InRange(threads.CollectionFreeBytes, 16L << 20, 18L << 20);
        Assert.True(threads.TryRun(w => _ = Enumerable.Range(0, 64).Select(i => new byte[1 << 20]).ToArray(), inTurn: true));
        Assert.False(threads.OutgrewBudget);
        Assert.Equal(TorchTaskThreads.MaximumCollectionFreeBytes, threads.CollectionFreeBytes);
    }

    [Fact]
    public void ASideBySideRunPastAMeasuredBudgetIsReported()
    {
        using var threads = new TorchTaskThreads(2, 1);
        Assert.True(threads.TryRun(w => _ = new byte[1 << 10], inTurn: true));
        Assert.Equal(TorchTaskThreads.MinimumCollectionFreeBytes, threads.CollectionFreeBytes);

        // 2 × 16 MB against an 8 MB budget (it would fit the largest, 64 MB).
        Assert.True(threads.TryRun(w => _ = Enumerable.Range(0, 16).Select(i => new byte[1 << 20]).ToArray()));

        Assert.True(threads.OutgrewBudget);
    }

    [Fact]
    public void ASideBySideMetaBatchLeavesNoTensorAliveOnAnyThread()
    {
        var (algorithm, values, _) = LearnerParityTests.Setup("maml-conv4");
        var gradients = values.Select(v => new float[v.Length]).ToArray();
        TaskData Task(int seed) => ParityTasks.Task(algorithm.Task, algorithm.Model, seed);
        WithCallerThreads(2, () =>
        {
            using var batch = new TorchMetaBatch(TorchLearners.Create(algorithm));
            batch.Run(values, [Task(1), Task(2), Task(3)], gradients);
            var threads = batch.SideBySide ?? throw new InvalidOperationException("the meta-batch did not run side by side");
            var live = LiveTensors(threads);
            var callers = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            for (var step = 0; step < 3; step++)
            {
                batch.Run(values, [Task(10 + step), Task(20 + step), Task(30 + step)], gradients);
                Assert.Equal(live, LiveTensors(threads));
                Assert.Equal(callers, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
        });
    }

    [Fact]
    public void ATrainingResumedSideBySideEndsBitForBitWhereAnUninterruptedOneDoes()
    {
        var algorithm = new FirstOrderMaml(ParityTasks.Conv4(), TaskKind.Classification, new InnerLoopOptions { Steps = 2, LearningRate = 0.1f });
        TorchMetaTrainer Trainer(int iterations) =>
            new(algorithm, new SeededTasks(algorithm), new MetaTrainerOptions { Iterations = iterations, MetaBatch = 4, Seed = 3, CheckpointEvery = 2 }) { Threads = 2 };
        using var straight = new TempDirectory();
        using var interrupted = new TempDirectory();
        WithCallerThreads(2, () => ResumeCheck.AssertResumesBitForBit(Trainer, 6, 4, straight.Path, interrupted.Path));
    }

    private sealed class SeededTasks(MetaAlgorithm algorithm) : ITaskSource
    {
        public TaskData Sample(Random random) => ParityTasks.Task(algorithm.Task, algorithm.Model, random.Next());
    }

    private static long[] LiveTensors(TorchTaskThreads threads)
    {
        var live = new long[threads.Count];
        Assert.True(threads.TryRun(w => live[w] = DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        return live;
    }

    private static (float[][] Gradients, double Loss) Run(MetaAlgorithm algorithm, float[][] values, TaskData[] tasks, int threads, bool expectSideBySide)
    {
        var gradients = values.Select(v => new float[v.Length]).ToArray();
        var loss = 0.0;
        WithCallerThreads(threads, () =>
        {
            using var batch = new TorchMetaBatch(TorchLearners.Create(algorithm));
            loss = batch.Run(values, tasks, gradients).Loss;
            Assert.Equal(expectSideBySide, batch.SideBySide is not null);
        });
        return (gradients, loss);
    }

    /// <summary>Runs <paramref name="body"/> with this thread's libtorch thread count at <paramref name="threads"/> (other tests change the process-wide one).</summary>
    private static void WithCallerThreads(int threads, Action body)
    {
        var before = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            Assert.Equal(threads, torch.get_num_threads());
            body();
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }
}
