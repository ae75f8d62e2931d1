using System.Security.Cryptography;
using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Bundles;

/// <summary>
/// The metric learners' bundles through FewShot.Runtime: Siamese networks keep every support embedding with its class
/// and score a class by its most similar example; the adapted state, labels included, survives a save and load and
/// is refused when its labels are tampered with. (That a query's scores do not depend on its batch is checked for
/// every learner by <see cref="InductivePredictionTests"/>.)
/// </summary>
public sealed class MetricBundleTests
{
    private const int Ways = 5;
    private const int Shots = 2;

    [Theory]
    [InlineData("siamese")]
    [InlineData("siamese-contrastive")]
    public void EachClassScoresItsMostSimilarSupportExample(string name)
    {
        using var folder = new TempDirectory();
        using var model = Load(folder, name);
        var (support, labels, queries) = Task(new Random(5));

        var adapted = model.Adapt(support, labels);
        var byClass = adapted.PredictValues(queries);
        var everyExample = model.Adapt(support, Enumerable.Range(0, labels.Length).ToArray());
        var byExample = everyExample.PredictValues(queries);

        Assert.Equal(Ways, byClass[0].Length);
        for (var q = 0; q < byClass.Count; q++)
        {
            for (var c = 0; c < Ways; c++)
            {
                var members = Enumerable.Range(0, labels.Length).Where(i => Column(adapted, labels[i]) == c);
                var best = members.Max(i => byExample[q][Column(everyExample, i)]);
                Assert.Equal(best, byClass[q][c], 4);
            }
        }
    }

    [Fact]
    public void SiameseStateKeepsOneRowPerSupportExampleWithItsClass()
    {
        using var folder = new TempDirectory();
        using var model = Load(folder, "siamese");
        var (support, labels, queries) = Task(new Random(6));

        var adapted = model.Adapt(support, labels);
        adapted.Save(folder.File("user.state"));
        var again = model.LoadAdapted(folder.File("user.state"));

        var rows = adapted.Tensors.Single(t => t.Name == BundleNames.PrototypeLabels);
        Assert.Equal([labels.Length], rows.Shape);
        Assert.Equal(labels.Select(l => (float)Column(adapted, l)), rows.Values.ToArray());
        Assert.Equal(adapted.PredictValues(queries), again.PredictValues(queries));

        // Without adapt.onnx, predict's own inputs say that the prototypes are one row per example.
        using var predictionOnly = FewShotModel.Load(folder.File("siamese.fewshot"), new RuntimeOptions { IntraOpThreads = 1, PredictionOnly = true });
        Assert.Equal(adapted.PredictValues(queries), predictionOnly.LoadAdapted(folder.File("user.state")).PredictValues(queries));
    }

    [Theory]
    [InlineData(7f, "each must be a class index 0..4")]
    [InlineData(1.5f, "each must be a class index 0..4")]
    [InlineData(0f, "class 4 has no prototype row")]
    public void TamperedPrototypeLabelsAreRefused(float label, string problem)
    {
        using var folder = new TempDirectory();
        using var model = Load(folder, "siamese");
        var (support, labels, _) = Task(new Random(7));
        var path = folder.File("user.state");
        model.Adapt(support, labels).Save(path);

        // prototype_labels is the state's last tensor: its values end just before the 32-byte SHA-256, recomputed here.
        var bytes = File.ReadAllBytes(path);
        var end = bytes.Length - 32;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == Ways - 1 || label != 0f)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(end - (4 * (labels.Length - i)), 4), label);
            }
        }

        SHA256.HashData(bytes.AsSpan(0, end)).CopyTo(bytes, end);
        File.WriteAllBytes(path, bytes);

        var refused = Assert.Throws<InvalidAdaptedStateException>(() => model.LoadAdapted(path));
        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
    }

    // The runtime numbers classes in order of first appearance; its output columns follow AdaptedModel.Labels.
    private static int Column(AdaptedModel adapted, int label) => adapted.Labels.ToList().IndexOf(label.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static FewShotModel Load(TempDirectory folder, string name)
    {
        var algorithm = BundleExportTests.Create(name);
        var path = folder.File($"{name}.fewshot");
        BundleExport.Write(path, algorithm, algorithm.Initialize(new Random(2)), new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot" }, iterations: 1, steps: 1, measured: null);
        return FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = 1 });
    }

    /// <summary>Random sparse images: <see cref="Shots"/> support examples of each of <see cref="Ways"/> classes, in shuffled order, and 7 queries.</summary>
    private static (float[] Support, int[] Labels, float[] Queries) Task(Random random)
    {
        const int size = 28 * 28;
        float[] Images(int n) => Enumerable.Range(0, n * size).Select(_ => random.NextDouble() < 0.2 ? 1f : 0f).ToArray();
        var labels = Enumerable.Range(0, Ways * Shots).Select(i => i % Ways).ToArray();
        random.Shuffle(labels);
        return (Images(labels.Length), labels, Images(7));
    }
}
