using FewShot.Sdk.Data;

namespace FewShot.Cli.Tests;

/// <summary>Example sets for `fewshot adapt` and `fewshot predict`, as .npz files.</summary>
internal static class RandomExampleSets
{
    /// <summary>
    /// Writes <paramref name="count"/> Omniglot-like 28×28 examples (random strokes of 1.0), labelled 0, 1, …,
    /// <paramref name="classes"/> − 1 in turn, to <paramref name="folder"/>/<paramref name="name"/>, and returns its path.
    /// </summary>
    public static string Write(string folder, string name, int count, int seed, int classes = 5)
    {
        var random = new Random(seed);
        float[] x = [.. Enumerable.Range(0, count * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f)];
        int[] y = [.. Enumerable.Range(0, count).Select(i => i % classes)];
        string path = Path.Combine(folder, name);
        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, count, 1, 28, 28), ["y"] = NpyArray.Create(y, count) });
        return path;
    }
}
