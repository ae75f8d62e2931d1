using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>A user's own .npz (dataset npz): split by class as class folders are, the model chosen by the examples' shape, and misfits named.</summary>
public sealed class ArrayRunTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>An .npz of <paramref name="classes"/> × <paramref name="perClass"/> feature vectors, each class around a mean of its own.</summary>
    private string WriteFeatures(string name, int classes, int perClass, int features = 8)
    {
        var random = new Random(0);
        var means = Enumerable.Range(0, classes * features).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var x = new float[classes * perClass * features];
        var y = new long[classes * perClass];
        for (var row = 0; row < y.Length; row++)
        {
            y[row] = 100 + (row % classes);
            for (var f = 0; f < features; f++)
            {
                x[(row * features) + f] = means[(row % classes * features) + f] + (float)(random.NextDouble() * 0.4 - 0.2);
            }
        }

        var path = _folder.File(name);
        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, y.Length, features), ["y"] = NpyArray.Create(y, y.Length) });
        return path;
    }

    private static RunConfiguration Run(string path, string algorithm = "maml", int ways = 3, int seed = 1) => new()
    {
        Algorithm = algorithm, Dataset = "npz", DataPath = path, Ways = ways, Shots = 1, Queries = 3, Channels = 16, Seed = seed,
    };

    [Fact]
    public void FlatFeaturesMetaTrainAnMlpThatBeatsChanceOnHeldOutClasses()
    {
        var configuration = Run(WriteFeatures("features.npz", classes: 15, perClass: 6));
        var data = RunData.Load(configuration);
        var algorithm = AlgorithmFactory.Create(configuration, data);
        var trained = new TorchMetaTrainer(algorithm, data.Train, new MetaTrainerOptions { Iterations = 20, MetaBatch = 2, Seed = 1 }) { Threads = 1 }.Train();

        var result = Evaluator.Evaluate(algorithm, trained.Parameters, data.Test, episodes: 20, steps: 3, seed: 2);

        Assert.Equal([8L], data.InputShape);
        Assert.Equal(12, data.TrainClassCount);
        Assert.Equal("mlp-8-16-16-3", algorithm.Model.Name);
        Assert.True(result.Metric.Mean > 0.5, $"3-way accuracy on held-out classes is {result.Metric}; chance is 0.33");
    }

    [Fact]
    public void TheSeedSplitsTheClassesReproduciblyAsForClassFolders()
    {
        var path = WriteFeatures("split.npz", classes: 10, perClass: 4);

        static string[] TestClasses(RunConfiguration run)
        {
            var sampler = (EpisodeSampler)((EpisodeTaskSource)RunData.Load(run).Test).Sampler;
            return [.. Enumerable.Range(0, sampler.Dataset.ClassCount).Select(sampler.Dataset.GetClassName)];
        }

        var first = TestClasses(Run(path, ways: 2));

        Assert.Equal(2, first.Length);
        Assert.Equal(first, TestClasses(Run(path, ways: 2)));
        Assert.NotEqual(first, TestClasses(Run(path, ways: 2, seed: 5)));
    }

    [Fact]
    public void GrayImagesTrainConv4AndFeaturesRefuseConvolutionalLearners()
    {
        var images = _folder.File("images.npz");
        NpzWriter.Write(images, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.Create(new byte[10 * 4 * 16 * 16], 10 * 4, 16, 16),
            ["y"] = NpyArray.Create(Enumerable.Range(0, 40).Select(i => i % 10).ToArray(), 40),
        });
        var imageRun = Run(images, "protonet", ways: 2) with { Shots = 1, Queries = 1 };
        var featureRun = Run(WriteFeatures("f.npz", classes: 10, perClass: 4), "relationnet", ways: 2);

        var conv = AlgorithmFactory.Create(imageRun, RunData.Load(imageRun));
        var error = Assert.Throws<ArgumentException>(() => AlgorithmFactory.Create(featureRun, RunData.Load(featureRun)));

        Assert.IsType<Conv4>(conv.Model);
        Assert.Equal([1L, 16, 16], conv.Model.InputShape);
        Assert.Contains("relationnet needs image examples [channels, height, width]", error.Message, StringComparison.Ordinal);
        Assert.Contains("flat feature vectors [8]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooFewClassesForTheWaysOrExamplesForTheEpisodesAreNamed()
    {
        var few = WriteFeatures("few.npz", classes: 6, perClass: 4);

        var ways = Assert.Throws<ArgumentException>(() => RunData.Load(Run(few, ways: 3) with { Queries = 2 }));
        var shots = Assert.Throws<ArgumentException>(() => RunData.Load(Run(few, ways: 2) with { Queries = 4 }));

        Assert.Contains("has 6 classes, split by the seed into 4 for training and 2 for testing (80/20), but the run draws 3-way training and 3-way test episodes: give at least 11 classes", ways.Message, StringComparison.Ordinal);
        Assert.Contains("class y == 100 has 4 examples, but 1-shot episodes with 4 queries need 5 of every class", shots.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileNamesTheDatasetAndWhatItNeeds()
    {
        var error = Assert.Throws<ArgumentException>(() => RunData.Load(Run(_folder.File("gone.npz"))));

        Assert.Contains("dataset 'npz' needs --data <file.npz>", error.Message, StringComparison.Ordinal);
    }
}
