using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// The metric learners (Relation Networks, Siamese networks) meta-train on TorchSharp on a small Omniglot subset and,
/// measured through their exported bundles and FewShot.Runtime, classify new characters well above chance.
/// </summary>
[Trait("Category", "Slow")]
public sealed class TorchMetricLearningTests
{
    [Fact]
    public void RelationNetworkBundleClassifiesNewCharactersThroughTheRuntime()
    {
        var algorithm = new RelationNet(new RelationNetwork([1, 28, 28], channels: 32));
        var trained = new TorchMetaTrainer(algorithm, OmniglotSubset.Episodes(OmniglotSubset.Train, 5, 1, 10), Options(120, metaBatch: 1)).Train();

        var measured = MeasureBundle(algorithm, trained);

        Assert.True(measured.Metric.Mean > 0.4, $"5-way 1-shot accuracy of the Relation Network bundle is {measured.Metric}; chance is 0.2");
    }

    [Theory]
    [InlineData(SiameseLoss.Verification)]
    [InlineData(SiameseLoss.Contrastive)]
    public void SiameseBundleClassifiesNewCharactersByTheirNearestExample(SiameseLoss loss)
    {
        var algorithm = new Siamese(new SiameseNetwork(new Conv4([1, 28, 28], 0, channels: 32), loss));
        var trained = new TorchMetaTrainer(algorithm, new PairTaskSource(OmniglotSubset.Train, 40), Options(100, metaBatch: 1)).Train();

        var measured = MeasureBundle(algorithm, trained);

        Assert.True(measured.Metric.Mean > 0.4, $"5-way 1-shot accuracy of the Siamese ({loss}) bundle is {measured.Metric}; chance is 0.2");
    }

    private static EvaluationResult MeasureBundle(MetaAlgorithm algorithm, TrainingResult trained)
    {
        using var folder = new TempDirectory();
        var (_, measured) = BundleExport.WriteMeasured(folder.File("metric.fewshot"), algorithm, trained.Parameters, new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot", Seed = 4 },
            trained.Iteration, steps: 1, OmniglotSubset.Episodes(OmniglotSubset.Test, 5, 1, 5), episodes: 30);
        Assert.True(measured.IsAccuracy);
        return measured;
    }

    private static MetaTrainerOptions Options(int iterations, int metaBatch = 2) =>
        new() { Iterations = iterations, MetaBatch = metaBatch, MetaLearningRate = 3e-3, Seed = 2 };
}
