using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Training;

public sealed class MetaTrainerTests
{
    private static Maml Algorithm() => new(Mlp.Sinusoid(), TaskKind.Regression, new InnerLoopOptions { Steps = 2, LearningRate = 0.01f });

    private static MetaTrainerOptions Options(int iterations) =>
        new() { Iterations = iterations, MetaBatch = 3, Seed = 5, CheckpointEvery = 4 };

    [Fact]
    public void AResumedRunEndsExactlyWhereAnUninterruptedOneDoes()
    {
        using var straight = new TempDirectory();
        using var interrupted = new TempDirectory();
        var tasks = new SinusoidTaskSource(5, 5);

        var expected = new MetaTrainer(Algorithm(), tasks, Options(10)).Train(straight.Path);
        new MetaTrainer(Algorithm(), tasks, Options(6)).Train(interrupted.Path);
        var resumed = new MetaTrainer(Algorithm(), tasks, Options(10)).Train(interrupted.Path);

        Assert.Equal(10, resumed.Iteration);
        for (var p = 0; p < expected.Parameters.Length; p++)
        {
            Assert.Equal(expected.Parameters[p], resumed.Parameters[p]);
        }

        Assert.Equal(File.ReadAllLines(Path.Combine(straight.Path, "metrics.jsonl")).Select(StripTime),
            File.ReadAllLines(Path.Combine(interrupted.Path, "metrics.jsonl")).Select(StripTime));
    }

    [Fact]
    public void CancellationWritesACheckpointOfTheLastFinishedIteration()
    {
        using var folder = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(p => { if (p.Iteration == 3) { cancel.Cancel(); } });

        Assert.ThrowsAny<OperationCanceledException>(() =>
            new MetaTrainer(Algorithm(), new SinusoidTaskSource(5, 5), Options(100)).Train(folder.Path, progress, cancel.Token));

        Assert.Equal(3, Checkpoint.Load(Path.Combine(folder.Path, Checkpoint.FileName), Algorithm().MetaParameters).Iteration);
    }

    [Fact]
    public void DivergenceStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        using var folder = new TempDirectory();
        var exploding = new Maml(Mlp.Sinusoid(), TaskKind.Regression, new InnerLoopOptions { Steps = 5, LearningRate = 1e6f });
        new MetaTrainer(Algorithm(), new SinusoidTaskSource(5, 5), Options(4)).Train(folder.Path);
        var before = File.ReadAllBytes(Path.Combine(folder.Path, Checkpoint.FileName));

        var error = Assert.Throws<TrainingDivergedException>(() =>
            new MetaTrainer(exploding, new SinusoidTaskSource(5, 5), Options(8)).Train(folder.Path));

        Assert.Contains("iteration 5", error.Message);
        Assert.Contains("last good checkpoint", error.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(folder.Path, Checkpoint.FileName)));
    }

    [Fact]
    public void TheSameSeedGivesTheSameParameters()
    {
        var a = new MetaTrainer(Algorithm(), new SinusoidTaskSource(5, 5), Options(5)).Train();
        var b = new MetaTrainer(Algorithm(), new SinusoidTaskSource(5, 5), Options(5)).Train();
        var c = new MetaTrainer(Algorithm(), new SinusoidTaskSource(5, 5), new MetaTrainerOptions { Iterations = 5, MetaBatch = 3, Seed = 6 }).Train();

        Assert.Equal(a.Parameters[0], b.Parameters[0]);
        Assert.NotEqual(a.Parameters[0], c.Parameters[0]);
    }

    private static string StripTime(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"seconds\":[0-9.]+", "");

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
