using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Loads test bundles and makes seeded support and query sets.</summary>
internal static class BundleTestData
{
    /// <summary>One intra-op thread: tests share a small machine, and sums then come out the same on every run.</summary>
    public static RuntimeOptions Options => new() { IntraOpThreads = 1, InterOpThreads = 1 };

    public static FewShotModel Load(BundleContents contents) => Load(TestBundles.Bytes(contents));

    public static FewShotModel Load(byte[] bundle)
    {
        using var stream = new MemoryStream(bundle);
        return FewShotModel.Load(stream, Options);
    }

    /// <summary><paramref name="count"/> examples of <paramref name="size"/> floats, Gaussian-ish, seeded.</summary>
    public static float[] Examples(int count, int size = TestBundles.Inputs, int seed = 10)
    {
        var random = new Random(seed);
        var values = new float[count * size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 1.5f;
        }

        return values;
    }

    /// <summary>Labels cycling through <paramref name="names"/>, <paramref name="count"/> of them.</summary>
    public static string[] Labels(int count, params string[] names) => [.. Enumerable.Range(0, count).Select(i => names[i % names.Length])];
}
