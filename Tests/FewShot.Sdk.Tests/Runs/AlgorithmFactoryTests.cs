using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>The model a run's configuration and data build, for data the Sdk loads and for a caller's own, and the runs it refuses before anything trains.</summary>
public sealed class AlgorithmFactoryTests
{
    private static RunData Data(params long[] inputShape)
    {
        var tasks = new SinusoidTaskSource(shots: 1, queries: 1);
        return new RunData(tasks, null, tasks, inputShape, TrainClassCount: 10);
    }

    [Fact]
    public void TheDefaultSinusoidDatasetRefusesImageShapedData()
    {
        // RunConfiguration's Dataset defaults to sinusoid: a caller with 28×28 images who leaves it would get the MLP.
        var configuration = new RunConfiguration { Algorithm = "maml" };

        var error = Assert.Throws<ArgumentException>(() => AlgorithmFactory.Create(configuration, Data(1, 28, 28)));

        Assert.Contains("[1, 28, 28]", error.Message, StringComparison.Ordinal);
        Assert.Contains("RunConfiguration.Dataset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACallersOwnDatasetNameGetsConv4OverItsShape()
    {
        var configuration = new RunConfiguration { Algorithm = "maml", Dataset = "my-arrays", Channels = 8 };

        var algorithm = AlgorithmFactory.Create(configuration, Data(1, 20, 20));

        var conv4 = Assert.IsType<Conv4>(algorithm.Model);
        Assert.Equal([1L, 20, 20], conv4.InputShape);
        Assert.IsType<Mlp>(AlgorithmFactory.Create(new RunConfiguration { Algorithm = "maml" }, Data(1)).Model);
    }

    [Fact]
    public void AClassifierOfNoWaysIsRefusedByName()
    {
        var configuration = new RunConfiguration { Algorithm = "maml", Dataset = "my-arrays", Channels = 8, Ways = 0 };

        var error = Assert.Throws<ArgumentException>(() => AlgorithmFactory.Create(configuration, Data(1, 20, 20)));

        Assert.Contains("ways must be at least 1", error.Message, StringComparison.Ordinal);
    }

    // Six classes of 28×28 images, as a caller's own data or a small image folder gives them.
    private static RunData SixClasses()
    {
        var dataset = new InMemoryDataset(["a", "b", "c", "d", "e", "f"], [.. Enumerable.Range(0, 6).Select(_ => new float[4 * 28 * 28])], [1, 28, 28]);
        var episodes = new EpisodeTaskSource(new EpisodeSampler(dataset, ways: 1, shots: 1, queries: 1));
        return new RunData(episodes, null, episodes, [1, 28, 28], dataset.ClassCount);
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("relationnet")]
    [InlineData("siamese")]
    [InlineData("finetune")]
    [InlineData("mann")]
    public void AClassifierWithOneWayIsRefused(string algorithm)
    {
        var error = Assert.Throws<ArgumentException>(() => AlgorithmFactory.Create(new RunConfiguration { Algorithm = algorithm, Dataset = "omniglot", Ways = 1 }, SixClasses()));

        Assert.Contains($"{algorithm} classifies, and a 1-way task has one answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneTrainingWayIsRefusedAndTwoWaysAreAccepted()
    {
        var error = Assert.Throws<ArgumentException>(() => AlgorithmFactory.Create(new RunConfiguration { Algorithm = "protonet", Dataset = "omniglot", Ways = 5, TrainWays = 1 }, SixClasses()));

        Assert.Contains("not 5-way tasks with 1-way training tasks", error.Message, StringComparison.Ordinal);
        Assert.IsType<ProtoNet>(AlgorithmFactory.Create(new RunConfiguration { Algorithm = "protonet", Dataset = "omniglot", Ways = 2 }, SixClasses()));
    }

    [Fact]
    public void AnAutoencoderAdaptsToOneClassOfNormalExamples() =>
        Assert.IsType<MetaAutoencoder>(AlgorithmFactory.Create(new RunConfiguration { Algorithm = "autoencoder", Dataset = "omniglot", Ways = 1 }, SixClasses()));
}
