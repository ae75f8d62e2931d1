using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;
using Xunit.Abstractions;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// The meta-learned autoencoder's anomaly score on the device: a bundle trained briefly on Omniglot, adapted through
/// FewShot.Runtime to a few drawings of new characters, scores what is unlike them higher than new drawings of them.
/// </summary>
[Trait("Category", "Slow")]
public sealed class AutoencoderAnomalyTests(ITestOutputHelper output)
{
    [Fact]
    public void AdaptedBundleScoresAnomaliesAboveNewDrawingsOfItsSupportCharacters()
    {
        using var folder = new TempDirectory();
        var splits = Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { TrainRotations = [0] });
        var train = new ClassSubsetDataset(splits.Train, Enumerable.Range(0, 100).ToArray());
        var test = new ClassSubsetDataset(splits.Test, Enumerable.Range(0, 60).ToArray());
        var algorithm = new MetaAutoencoder(new ConvAutoencoder([1, 28, 28], latentSize: 32, hidden: 8), new InnerLoopOptions { Steps = 1, LearningRate = 0.5f });
        var trained = new TorchMetaTrainer(algorithm, new EpisodeTaskSource(new EpisodeSampler(train, 5, 2, 2)),
            new MetaTrainerOptions { Iterations = 30, MetaBatch = 2, MetaLearningRate = 3e-3, Seed = 2 }).Train();
        var path = folder.File("autoencoder.fewshot");
        BundleExport.Write(path, algorithm, trained.Parameters, new RunConfiguration { DataPath = RepoPaths.Omniglot, Algorithm = "autoencoder", Dataset = "omniglot", Seed = 4 }, trained.Iteration, steps: 3, measured: null);

        // Normal: 5 new characters, 2 drawings each to adapt on and 5 more to score; anomalies: 25 Fashion-MNIST images.
        var task = new EpisodeTaskSource(new EpisodeSampler(test, 5, 2, 5)).Sample(new Random(7));
        var fashion = FashionMnist.Load(RepoPaths.FashionMnist).Test;
        var anomalies = new float[25 * 784];
        for (var i = 0; i < 25; i++)
        {
            fashion.CopyExample(i % 5, i, anomalies.AsSpan(i * 784, 784));
        }

        using var model = FewShotModel.Load(path);
        var adapted = model.AdaptUnlabeled(task.SupportX);
        var normal = adapted.AnomalyScores(task.QueryX);
        var unusual = adapted.AnomalyScores(anomalies);
        var auroc = AnomalyEvaluator.Auroc([.. normal, .. unusual], [.. normal.Select(_ => false), .. unusual.Select(_ => true)]);
        var withinOmniglot = AnomalyEvaluator.Evaluate(path, new EpisodeTaskSource(new EpisodeSampler(test, 10, 2, 5)), normalClasses: 5, episodes: 5, seed: 4);
        output.WriteLine($"normal {normal.Average():F4}, Fashion-MNIST {unusual.Average():F4}, AUROC {auroc:F3}; other characters as anomalies: AUROC {withinOmniglot}");

        Assert.Equal(normal, adapted.Predict(task.QueryX).Select(p => p.Score!.Value));
        Assert.True(unusual.Average() > normal.Average(), $"Fashion-MNIST images score {unusual.Average()} on average, new drawings of the support's characters {normal.Average()}");
        Assert.True(auroc > 0.75, $"AUROC of Fashion-MNIST images against new drawings of the support's characters is {auroc}");

        // Telling other characters from the support's takes far more training than this (README: the measured figure).
        Assert.Equal(5, withinOmniglot.Count);
        Assert.InRange(withinOmniglot.Mean, 0, 1);
    }

    [Fact]
    public void AurocCountsPairsAndHalvesTies()
    {
        Assert.Equal(1.0, AnomalyEvaluator.Auroc([0.1f, 0.2f, 0.9f], [false, false, true]));
        Assert.Equal(0.0, AnomalyEvaluator.Auroc([0.9f, 0.1f], [false, true]));
        Assert.Equal(0.875, AnomalyEvaluator.Auroc([0.5f, 0.5f, 0.9f, 0.1f], [false, true, true, false]), 6);
        Assert.Throws<ArgumentException>(() => AnomalyEvaluator.Auroc([0.1f], [true]));
    }

    [Fact]
    public void AnomalyScoresAreRefusedForClassifiers()
    {
        using var folder = new TempDirectory();
        var algorithm = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 4));
        var path = folder.File("proto.fewshot");
        BundleExport.Write(path, algorithm, algorithm.Initialize(new Random(1)), new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot" }, 0, steps: 1, measured: null);
        using var model = FewShotModel.Load(path);
        var adapted = model.Adapt(new float[2 * 784], [0, 1]);

        var error = Assert.Throws<InvalidOperationException>(() => adapted.AnomalyScores(new float[784]));

        Assert.Contains("reconstruction bundles", error.Message);
    }
}
