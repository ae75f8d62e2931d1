using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>The TorchSharp trainer keeps what the ONNX Runtime trainer does: exact resume, the NaN/Inf stop, reproducible seeds, cancellation; and it leaks no tensor.</summary>
public sealed class TorchMetaTrainerTests
{
    private static Maml Algorithm() => new(Mlp.Sinusoid(), TaskKind.Regression, new InnerLoopOptions { Steps = 2, LearningRate = 0.01f });

    private static MetaTrainerOptions Options(int iterations, int seed = 5) =>
        new() { Iterations = iterations, MetaBatch = 3, Seed = seed, CheckpointEvery = 4 };

    private static TorchMetaTrainer Trainer(MetaAlgorithm algorithm, int iterations, int seed = 5) =>
        new(algorithm, new SinusoidTaskSource(5, 5), Options(iterations, seed)) { Threads = 1 };

    [Fact]
    public void AResumedRunEndsBitForBitWhereAnUninterruptedOneDoes()
    {
        using var straight = new TempDirectory();
        using var interrupted = new TempDirectory();

        ResumeCheck.AssertResumesBitForBit(iterations => Trainer(Algorithm(), iterations), 10, 6, straight.Path, interrupted.Path);

        Assert.Equal(File.ReadAllLines(Path.Combine(straight.Path, "metrics.jsonl")).Select(StripTime),
            File.ReadAllLines(Path.Combine(interrupted.Path, "metrics.jsonl")).Select(StripTime));
    }

    [Fact]
    public void TheSameSeedGivesTheSameParametersAndAnotherSeedDoesNot()
    {
        var a = Trainer(Algorithm(), 5).Train();
        var b = Trainer(Algorithm(), 5).Train();
        var c = Trainer(Algorithm(), 5, seed: 6).Train();

        Assert.Equal(a.Parameters[0], b.Parameters[0]);
        Assert.NotEqual(a.Parameters[0], c.Parameters[0]);
    }

    [Fact]
    public void DivergenceStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        using var folder = new TempDirectory();
        var exploding = new Maml(Mlp.Sinusoid(), TaskKind.Regression, new InnerLoopOptions { Steps = 5, LearningRate = 1e6f });
        Trainer(Algorithm(), 4).Train(folder.Path);
        var before = File.ReadAllBytes(Path.Combine(folder.Path, Checkpoint.FileName));

        var error = Assert.Throws<TrainingDivergedException>(() => Trainer(exploding, 8).Train(folder.Path));

        Assert.Contains("iteration 5", error.Message);
        Assert.Contains("last good checkpoint", error.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(folder.Path, Checkpoint.FileName)));
    }

    [Fact]
    public void EpisodesWithMoreWaysThanTheHeadAreRefusedByNameBeforeTraining()
    {
        using var folder = new TempDirectory();
        var random = new Random(1);
        var features = new InMemoryDataset(
            [.. Enumerable.Range(0, 5).Select(c => $"class{c}")],
            [.. Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 4 * 3).Select(_ => (float)random.NextDouble()).ToArray())],
            [3]);
        var threeWay = new Maml(new Mlp(3, 8, 3), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.1f });
        var trainer = new TorchMetaTrainer(threeWay, new EpisodeTaskSource(new EpisodeSampler(features, 5, 1, 2)), Options(3)) { Threads = 1 };

        var error = Assert.Throws<ArgumentException>(() => trainer.Train(folder.Path));

        Assert.Contains("but maml's head has 3 outputs (labels 0 to 2)", error.Message);
        Assert.False(File.Exists(Path.Combine(folder.Path, Checkpoint.FileName)));
    }

    [Fact]
    public void CancellationWritesACheckpointOfTheLastFinishedIteration()
    {
        using var folder = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(p => { if (p.Iteration == 3) { cancel.Cancel(); } });

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer(Algorithm(), 100).Train(folder.Path, progress, cancel.Token));

        Assert.Equal(3, Checkpoint.Load(Path.Combine(folder.Path, Checkpoint.FileName), Algorithm().MetaParameters).Iteration);
    }

    [Theory]
    [InlineData("anil-mlp")]
    [InlineData("protonet-conv4")]
    public void AMetaStepLeavesNoTensorAlive(string name)
    {
        // anil-mlp runs its meta-batch as one pass, protonet-conv4 task by task: both paths are checked.
        var (algorithm, values, _) = LearnerParityTests.Setup(name);
        var gradients = values.Select(v => new float[v.Length]).ToArray();
        TaskData Task(int seed) => ParityTasks.Task(algorithm.Task, algorithm.Model, seed);
        using var batch = new TorchMetaBatch(TorchLearners.Create(algorithm));
        batch.Run(values, [Task(2)], gradients);
        var statistics = DisposeScopeManager.Statistics;
        var live = statistics.ThreadTotalLiveCount;
        var createdOutside = statistics.CreatedOutsideScopeCount;
        var createdInside = statistics.CreatedInScopeCount;

        for (var step = 0; step < 3; step++)
        {
            batch.Run(values, [Task(3 + step), Task(30 + step)], gradients);
            Assert.Equal(live, statistics.ThreadTotalLiveCount);
        }

        Assert.Equal(createdOutside, statistics.CreatedOutsideScopeCount);
        Assert.True(statistics.CreatedInScopeCount > createdInside, "the steps created no tensor in a scope, so the count above proves nothing");
    }

    [Fact]
    public void ARunFolderThatIsAFileIsAClearError()
    {
        using var folder = new TempDirectory();
        var file = Path.Combine(folder.Path, "model.fewshot");
        File.WriteAllBytes(file, [1, 2, 3]);

        var error = Assert.Throws<ArgumentException>(() => Trainer(Algorithm(), 1).Train(file));

        Assert.Contains("is a file", error.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(file));
    }

    [Fact]
    public void AFolderAnotherTrainingHoldsIsRefusedAndLeftAlone()
    {
        using var folder = new TempDirectory();
        var run = Path.Combine(folder.Path, "run");
        using (FewShot.Sdk.Runs.RunFolderLock.Acquire(run))
        {
            var error = Assert.Throws<IOException>(() => Trainer(Algorithm(), 1).Train(run));

            Assert.Contains("is being trained by another process (or by another training in this one)", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(run, Checkpoint.FileName)));
            Assert.False(File.Exists(Path.Combine(run, MetricsLog.FileName)));
        }

        Assert.Equal(1, Trainer(Algorithm(), 1).Train(run).Iteration); // the lock goes with the training that held it
        using var again = FewShot.Sdk.Runs.RunFolderLock.Acquire(run);
    }

    [Fact]
    public void TasksOfAnotherShapeThanTheModelsAreAClearError()
    {
        // 32×32 images for a conv4 built for 28×28: libtorch itself would fail with a native stack trace.
        var images = new float[5 * 2 * 32 * 32];
        var dataset = FewShot.Sdk.Data.InMemoryDataset.FromClassMajor(FewShot.Sdk.Data.NpyArray.Create(images, 5, 2, 32, 32));
        var tasks = new EpisodeTaskSource(new FewShot.Sdk.Data.EpisodeSampler(dataset, ways: 5, shots: 1, queries: 1));
        var algorithm = new Maml(new Conv4([1, 28, 28], outputs: 5, channels: 8, FeatureNormalization.Instance), TaskKind.Classification);
        var trainer = new TorchMetaTrainer(algorithm, tasks, Options(iterations: 1)) { Threads = 1 };

        var error = Assert.Throws<ArgumentException>(() => trainer.Train());

        Assert.Contains("[1, 32, 32]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 28, 28]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaWithoutTorchSharpsCudaPackageIsAClearError()
    {
        var trainer = new TorchMetaTrainer(Algorithm(), new SinusoidTaskSource(5, 5), Options(2)) { Device = "cuda" };

        var error = Assert.Throws<TorchUnavailableException>(() => trainer.Train());

        Assert.Contains("TorchSharp-cuda", error.Message);
    }

    private static string StripTime(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"seconds\":[0-9.]+", "");

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
