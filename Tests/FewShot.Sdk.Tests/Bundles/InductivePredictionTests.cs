using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>
/// DESIGN idea 5, checked through FewShot.Runtime on exported bundles: a query's output is the same alone as in any
/// batch, within 1e-5 (relative to the value, at least 1), over random batch splits and orders, for every learner
/// <see cref="AlgorithmFactory"/> builds with its default normalization. A learner added to
/// <see cref="AlgorithmFactory.Names"/> is checked with no change here. The transductive opt-in (--norm batch) is
/// shown to fail the same check, so the check can fail.
/// </summary>
public sealed class InductivePredictionTests
{
    private const double Tolerance = 1e-5;
    private const int Queries = 12;

    public static TheoryData<string> Learners => new(AlgorithmFactory.Names);

    [Theory]
    [MemberData(nameof(Learners))]
    public void AQueryGetsTheSameOutputAloneAsInAnyBatch(string learner)
    {
        using var folder = new TempDirectory();
        var (model, adapted, queries) = AdaptedOnRandomTask(folder, learner, FeatureNormalizations.Default.Name());
        using var owner = model;
        var manifest = model.Manifest;
        Assert.False(manifest.PredictionsDependOnBatch, $"{learner}: the manifest says predictions depend on the batch ({manifest.FeatureNormalization})");

        var worst = WorstBatchDependence(adapted, queries);
        Assert.True(worst <= Tolerance, $"{learner} ({manifest.FeatureNormalization}): a query's output moved by {worst:E2} with its batch; expected at most {Tolerance:E0}");
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("protonet")]
    public void TheStridedConv4IsInductiveToo(string learner)
    {
        using var folder = new TempDirectory();
        var (model, adapted, queries) = AdaptedOnRandomTask(folder, learner, FeatureNormalizations.Default.Name(), Conv4Downsampling.Stride.Name());
        using var owner = model;
        Assert.StartsWith("conv4-strided", model.Manifest.Model, StringComparison.Ordinal);

        var worst = WorstBatchDependence(adapted, queries);
        Assert.True(worst <= Tolerance, $"{learner} on the strided conv4: a query's output moved by {worst:E2} with its batch; expected at most {Tolerance:E0}");
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("fomaml")]
    [InlineData("metasgd")]
    [InlineData("reptile")]
    [InlineData("maml", true)]
    public void SupportStatisticsAreInductiveToo(string learner, bool prototypeHead = false)
    {
        using var folder = new TempDirectory();
        var (model, adapted, queries) = AdaptedOnRandomTask(folder, learner, FeatureNormalization.Support.Name(), prototypeHead: prototypeHead);
        using var owner = model;
        Assert.Equal(FewShot.Bundles.FeatureNormalizationNames.Support, model.Manifest.FeatureNormalization);
        Assert.False(model.Manifest.PredictionsDependOnBatch);

        var worst = WorstBatchDependence(adapted, queries);
        Assert.True(worst <= Tolerance, $"{learner} with support statistics: a query's output moved by {worst:E2} with its batch; expected at most {Tolerance:E0}");
    }

    [Fact]
    public void TheTransductiveOptInDependsOnTheBatchAndSaysSo()
    {
        using var folder = new TempDirectory();
        var (model, adapted, queries) = AdaptedOnRandomTask(folder, "maml", FeatureNormalization.Batch.Name());
        using var owner = model;
        var manifest = model.Manifest;
        Assert.True(manifest.PredictionsDependOnBatch);
        Assert.Equal(FewShot.Bundles.FeatureNormalizationNames.Batch, manifest.FeatureNormalization);

        var whole = adapted.PredictValues(queries);
        var alone = adapted.PredictValues(Gather(queries, [0]));
        Assert.True(Difference(alone[0], whole[0]) > 1e-3, $"batch statistics moved the first query's logits by only {Difference(alone[0], whole[0]):E2}");
    }

    /// <summary>The largest change of a query's output between the whole batch and random splits of it (the first: every query alone).</summary>
    private static double WorstBatchDependence(AdaptedModel adapted, float[] queries)
    {
        var whole = adapted.PredictValues(queries);
        var random = new Random(5);
        var worst = 0.0;
        for (var split = 0; split < 4; split++)
        {
            // A random order cut into random chunks; the first split is every query alone.
            var order = Enumerable.Range(0, Queries).OrderBy(_ => random.Next()).ToArray();
            for (var start = 0; start < Queries;)
            {
                var size = split == 0 ? 1 : random.Next(1, Queries - start + 1);
                var chunk = order.Skip(start).Take(size).ToArray();
                var outputs = adapted.PredictValues(Gather(queries, chunk));
                for (var i = 0; i < chunk.Length; i++)
                {
                    worst = Math.Max(worst, Difference(outputs[i], whole[chunk[i]]));
                }

                start += size;
            }
        }

        return worst;
    }

    private static (FewShotModel Model, AdaptedModel Adapted, float[] Queries) AdaptedOnRandomTask(
        TempDirectory folder, string learner, string normalization, string downsampling = "maxpool", bool prototypeHead = false)
    {
        var random = new Random(11);
        int[] shape = [1, 28, 28];
        var dataset = new InMemoryDataset(
            Enumerable.Range(0, 8).Select(c => $"c{c}").ToArray(),
            Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 6 * 28 * 28).Select(_ => random.NextDouble() < 0.2 ? 1f : 0f).ToArray()).ToArray(),
            shape);
        var episodes = new EpisodeTaskSource(new EpisodeSampler(dataset, ways: 5, shots: 2, queries: 2));
        var run = new RunConfiguration { DataPath = RepoPaths.Omniglot, Algorithm = learner, Dataset = "omniglot", Ways = 5, Shots = 2, Channels = 16, Normalization = normalization, Downsampling = downsampling, PrototypeHead = prototypeHead };
        var algorithm = AlgorithmFactory.Create(run, new RunData(episodes, null, episodes, [1, 28, 28], dataset.ClassCount));
        var path = folder.File($"{learner}.fewshot");
        BundleExport.Write(path, algorithm, algorithm.Initialize(random), run, iterations: 0, steps: 2, measured: null);

        var model = FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = 1 });
        var task = episodes.Sample(random);
        var adapted = algorithm.Task == TaskKind.Reconstruction
            ? model.AdaptUnlabeled(task.SupportX)
            : model.Adapt(task.SupportX, task.SupportLabels!.Select(l => (int)l).ToArray());
        var queries = Enumerable.Range(0, Queries * 28 * 28).Select(_ => random.NextDouble() < 0.2 ? 1f : 0f).ToArray();
        return (model, adapted, queries);
    }

    private static float[] Gather(float[] queries, int[] indices) =>
        indices.SelectMany(i => queries.AsSpan(i * 28 * 28, 28 * 28).ToArray()).ToArray();

    private static double Difference(float[] actual, float[] expected) =>
        actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second) / Math.Max(1, Math.Abs(p.Second)));
}
