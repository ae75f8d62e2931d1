using System.Text.Json;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>
/// The library's <c>TorchMetaTrainer.Train(folder)</c> records its run (run.json) and resumes only that run: another run
/// whose parameters have the same names and shapes is refused by name instead of being mixed into the checkpoint.
/// </summary>
public sealed class TrainerRunCheckTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly RunConfiguration Sinusoid = new()
    {
        Algorithm = "maml", Dataset = "sinusoid", Shots = 5, Queries = 5, InnerSteps = 1, InnerLearningRate = 0.01f,
    };

    private static MetaAlgorithm Learner(string algorithm, IFewShotModel? model = null)
    {
        var inner = new InnerLoopOptions { Steps = 1, LearningRate = 0.01f };
        model ??= Mlp.Sinusoid();
        return algorithm == "fomaml" ? new FirstOrderMaml(model, TaskKind.Regression, inner) : new Maml(model, TaskKind.Regression, inner);
    }

    private static TorchMetaTrainer Trainer(int iterations, RunConfiguration? run, MetaAlgorithm? algorithm = null, ITaskSource? tasks = null) =>
        new(algorithm ?? Learner(run?.Algorithm ?? "maml"), tasks ?? new SinusoidTaskSource(5, 5),
            new MetaTrainerOptions { Iterations = iterations, MetaBatch = 2, Seed = 3, CheckpointEvery = 2 }) { Threads = 1, Run = run };

    [Fact]
    public void AStartedRunIsRecordedAndResumesWithAnotherIterationTarget()
    {
        var folder = _folder.File("run");

        Trainer(2, Sinusoid).Train(folder);
        var resumed = Trainer(4, Sinusoid).Train(folder);

        Assert.Equal(4, resumed.Iteration);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(folder, MetricsLog.FileName)).Length);
        var recorded = RunConfiguration.Load(folder);
        Assert.Equal("maml", recorded.Algorithm);
        Assert.Equal("mlp-1-40-40-1 [1]", recorded.Model);
        Assert.Equal(3, recorded.Seed); // the trainer's own settings, as it trained
        Assert.Equal(4, recorded.Iterations);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp*"));
    }

    [Fact]
    public void AnotherLearnerWithTheSameParametersIsRefusedByName()
    {
        var folder = _folder.File("run");
        Trainer(2, Sinusoid).Train(folder);
        var before = File.ReadAllBytes(Path.Combine(folder, Checkpoint.FileName));

        var error = Assert.Throws<ArgumentException>(() => Trainer(4, Sinusoid with { Algorithm = "fomaml" }).Train(folder));
        var rate = Assert.Throws<ArgumentException>(() => Trainer(4, Sinusoid with { InnerLearningRate = 0.02f }).Train(folder));

        Assert.Contains("holds a different run (maml on sinusoid", error.Message, StringComparison.Ordinal);
        Assert.Contains("algorithm (maml there, fomaml asked for)", error.Message, StringComparison.Ordinal);
        Assert.Contains("innerLearningRate (0.01 there, 0.02 asked for)", rate.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(folder, Checkpoint.FileName)));
        Assert.Equal("maml", RunConfiguration.Load(folder).Algorithm);
    }

    [Fact]
    public void OwnDataOfAnotherShapeUnderTheSameNameIsRefusedByItsModel()
    {
        // Data of the caller's own is known by its name alone; the recorded model tells the two apart, in the run's terms,
        // before the checkpoint's shapes are compared (an encoder's can be the same for other image sizes).
        var folder = _folder.File("own");
        var own = new RunConfiguration { Algorithm = "maml", Dataset = "my-features", Ways = 2, Shots = 1, Queries = 2 };
        MetaAlgorithm Classifier(int features) => new Maml(new Mlp(features, 8, 2), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.1f });
        ITaskSource Tasks(int features) => new EpisodeTaskSource(new EpisodeSampler(Features(features), 2, 1, 2));
        Trainer(2, own, Classifier(2), Tasks(2)).Train(folder);

        var error = Assert.Throws<ArgumentException>(() => Trainer(4, own, Classifier(3), Tasks(3)).Train(folder));

        Assert.Contains("model (mlp-2-8-2 [2] there, mlp-3-8-2 [3] asked for)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderWrittenWithoutARecordResumesAndIsRecordedFromThen()
    {
        var folder = _folder.File("old");
        Trainer(2, run: null).Train(folder);
        Assert.False(File.Exists(Path.Combine(folder, RunConfiguration.FileName)));

        var resumed = Trainer(4, Sinusoid).Train(folder);

        Assert.Equal(4, resumed.Iteration);
        Assert.Equal("mlp-1-40-40-1 [1]", RunConfiguration.Load(folder).Model);
        Assert.Throws<ArgumentException>(() => Trainer(6, Sinusoid with { Algorithm = "fomaml" }).Train(folder));
    }

    [Fact]
    public void ARunJsonWrittenBeforeTheModelWasRecordedStillResumes()
    {
        var folder = _folder.File("older");
        Trainer(2, Sinusoid).Train(folder);
        var path = Path.Combine(folder, RunConfiguration.FileName);
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(path))!;
        json.Remove("model");
        File.WriteAllText(path, JsonSerializer.Serialize(json));

        Assert.Equal(4, Trainer(4, Sinusoid).Train(folder).Iteration);
        Assert.Equal("mlp-1-40-40-1 [1]", RunConfiguration.Load(folder).Model);
    }

    [Fact]
    public void ATrainerWithoutARunRefusesAFolderThatRecordsOne()
    {
        var folder = _folder.File("recorded");
        Trainer(2, Sinusoid).Train(folder);

        var error = Assert.Throws<ArgumentException>(() => Trainer(4, run: null).Train(folder));

        Assert.Contains("holds a recorded run (maml on sinusoid", error.Message, StringComparison.Ordinal);
        Assert.Contains("TorchMetaTrainer.Run", error.Message, StringComparison.Ordinal);
    }

    // Two classes of feature vectors around their own means, 4 examples each.
    private static InMemoryDataset Features(int features)
    {
        var random = new Random(features);
        return new InMemoryDataset(["a", "b"],
            [.. Enumerable.Range(0, 2).Select(c => Enumerable.Range(0, 4 * features).Select(_ => c + (float)random.NextDouble() * 0.1f).ToArray())], [features]);
    }
}
