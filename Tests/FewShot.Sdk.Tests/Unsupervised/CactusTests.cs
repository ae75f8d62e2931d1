using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Sdk.Unsupervised;
using FewShot.Tests.Shared;
using Xunit.Abstractions;

namespace FewShot.Sdk.Tests.Unsupervised;

/// <summary>CACTUs: k-means finds clusters, tasks are made of clusters, and ProtoNets meta-trained on them classify labelled tasks.</summary>
public sealed class CactusTests(ITestOutputHelper output)
{
    [Fact]
    public void KMeansSeparatesWellSeparatedBlobs()
    {
        var random = new Random(3);
        var truth = Enumerable.Range(0, 300).Select(i => i % 3).ToArray();
        var points = truth.SelectMany(c => new[] { (c * 10) + (float)random.NextDouble(), (float)random.NextDouble() - (c * 5) }).ToArray();

        var clusters = KMeans.Cluster(points, 2, 3, 20, new Random(1));

        // The same partition up to naming: points share a cluster exactly when they share a blob.
        for (var i = 0; i < 300; i += 7)
        {
            for (var j = 0; j < 300; j += 11)
            {
                Assert.Equal(truth[i] == truth[j], clusters[i] == clusters[j]);
            }
        }
    }

    [Fact]
    public void ClustersTooSmallForATaskAreLeftOut()
    {
        var images = Enumerable.Range(0, 7).Select(i => (float)i).ToArray();

        var clusters = new ClusterDataset(images, [1], [0, 1, 1, 2, 2, 2, 0], minimumSize: 2);

        Assert.Equal(3, clusters.ClassCount);
        Assert.Equal([2, 2, 3], Enumerable.Range(0, 3).Select(clusters.GetExampleCount));
        var value = new float[1];
        clusters.CopyExample(2, 2, value);
        Assert.Equal(5f, value[0]);
        Assert.Throws<ArgumentException>(() => new ClusterDataset(images, [1], [0, 1], 1));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void ProtoNetsMetaTrainedOnClusterTasksClassifyNewCharacters()
    {
        using var folder = new TempDirectory();
        var splits = Omniglot.Load(RepoPaths.Omniglot, new OmniglotOptions { TrainRotations = [0] });
        var unlabelled = new ClassSubsetDataset(splits.Train, Enumerable.Range(0, 100).ToArray());
        var test = new EpisodeTaskSource(new EpisodeSampler(new ClassSubsetDataset(splits.Test, Enumerable.Range(0, 60).ToArray()), 5, 1, 5));
        var tasks = new CactusTaskSource(unlabelled, 5, 1, 5, new CactusOptions { Partitions = 2, Clusters = 40, AutoencoderIterations = 100, BatchSize = 64, LatentSize = 32, Seed = 1 });
        var algorithm = new ProtoNet(new Conv4([1, 28, 28], 0, channels: 16), "cactus");
        var options = new MetaTrainerOptions { Iterations = 40, MetaBatch = 2, MetaLearningRate = 3e-3, Seed = 2 };

        var trained = new TorchMetaTrainer(algorithm, tasks, options).Train();
        var untrained = algorithm.Initialize(seed: 2);
        var run = new RunConfiguration { DataPath = RepoPaths.Omniglot, Algorithm = "cactus", Dataset = "omniglot", Seed = 4 };
        var (_, before) = BundleExport.WriteMeasured(folder.File("untrained.fewshot"), algorithm, untrained, run, 0, 1, test, episodes: 40);
        var (_, after) = BundleExport.WriteMeasured(folder.File("cactus.fewshot"), algorithm, trained.Parameters, run, trained.Iteration, 1, test, episodes: 40);
        output.WriteLine($"5-way 1-shot through the runtime: untrained {before.Metric}, after 40 iterations on cluster tasks {after.Metric}");

        Assert.Equal(2, tasks.Partitions.Count);
        Assert.True(after.Metric.Mean > before.Metric.Mean + 0.05, $"5-way 1-shot accuracy {after.Metric} after meta-training on cluster tasks, {before.Metric} before");
    }
}
