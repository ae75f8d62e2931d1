using FewShot.Runtime.Bundles;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Runs;

/// <summary>
/// README's "Meta-training from C#: your own arrays", run as written (fewer iterations): a caller's classes in memory,
/// meta-trained and exported, and the bundle adapting in FewShot.Runtime. If this stops compiling, so does the README's code.
/// </summary>
public sealed class LibraryGuideTests
{
    [Fact]
    public void TheReadmesOwnArraysExampleTrainsExportsAndAdapts()
    {
        using var folder = new TempDirectory();
        var pixels = Parts(classes: 20, perClass: 10, seed: 1);

        // As in README.md, with the paths in a temporary folder and 20 iterations instead of 500.
        var all = InMemoryDataset.FromClassMajor(NpyArray.Create(pixels, 20, 10, 1, 28, 28));
        var train = new ClassSubsetDataset(all, [.. Enumerable.Range(0, 15)]);
        var test = new ClassSubsetDataset(all, [.. Enumerable.Range(15, 5)]);
        var run = new RunConfiguration { Algorithm = "protonet", Dataset = "my-parts", Ways = 5, Shots = 1, Queries = 5 };
        var data = new RunData(new EpisodeTaskSource(new EpisodeSampler(train, 5, 1, 5)), null,
            new EpisodeTaskSource(new EpisodeSampler(test, 5, 1, 5)), [1, 28, 28], train.ClassCount);
        var learner = AlgorithmFactory.Create(run, data);
        var result = new TorchMetaTrainer(learner, data.Train, new MetaTrainerOptions { Iterations = 20 }) { Run = run }.Train(folder.File("parts-run"));
        var (hash, measured) = BundleExport.WriteMeasured(folder.File("parts.fewshot"), learner, result.Parameters, run,
            result.Iteration, steps: 1, data.Test, episodes: 20);

        Assert.Equal(20, result.Iteration);
        Assert.True(File.Exists(Path.Combine(folder.File("parts-run"), Checkpoint.FileName)));
        Assert.False(string.IsNullOrEmpty(hash));
        Assert.True(measured.IsAccuracy);
        Assert.InRange(measured.Metric.Mean, 0.5, 1.0); // the classes are far apart; chance is 0.2

        // The next README section: the bundle in FewShot.Runtime, adapted to the held-out classes' first examples.
        using var model = FewShotModel.Load(folder.File("parts.fewshot"));
        var size = 28 * 28;
        var support = new float[5 * size];
        var queries = new float[5 * size];
        for (var c = 0; c < 5; c++)
        {
            pixels.AsSpan(((15 + c) * 10) * size, size).CopyTo(support.AsSpan(c * size));
            pixels.AsSpan((((15 + c) * 10) + 1) * size, size).CopyTo(queries.AsSpan(c * size));
        }

        var adapted = model.Adapt(support, ["a", "b", "c", "d", "e"]);
        var answers = adapted.Predict(queries).Select(p => p.Label).ToArray();
        Assert.Equal("a b c d e", string.Join(' ', answers));
        Assert.Contains("my-parts", model.Manifest.Input.Normalization.Text, StringComparison.Ordinal);
    }

    // Each class a random binary pattern, its examples that pattern with noise: a few-shot task any encoder separates.
    private static float[] Parts(int classes, int perClass, int seed)
    {
        var random = new Random(seed);
        var size = 28 * 28;
        var pixels = new float[classes * perClass * size];
        for (var c = 0; c < classes; c++)
        {
            var pattern = Enumerable.Range(0, size).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f).ToArray();
            for (var e = 0; e < perClass; e++)
            {
                for (var i = 0; i < size; i++)
                {
                    pixels[(((c * perClass) + e) * size) + i] = Math.Clamp(pattern[i] + (float)((random.NextDouble() * 0.3) - 0.15), 0f, 1f);
                }
            }
        }

        return pixels;
    }
}
