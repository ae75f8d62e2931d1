using System.Diagnostics;
using System.Globalization;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;
using FewShot.Tests.Shared;
using Xunit.Abstractions;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>64 threads × 10,000 predictions on one shared model: no error, every answer the sequential one, and flat memory.</summary>
[Collection(SerialCollection.Name)]
public sealed class ManyThreadsTests(ITestOutputHelper output)
{
    private const int Threads = 64;
    private const int PredictionsPerThread = 10_000;

    // RSS may grow while 64 threads first touch ORT's per-thread state and arenas; after that warm-up, a leak of even
    // one 64-byte object per prediction would add 640,000 × 64 B ≈ 40 MB, well over this tolerance.
    private const long ToleranceBytes = 24L * 1024 * 1024;

    [Fact]
    [Trait("Category", "Slow")]
    public void SixtyFourThreads_TenThousandPredictionsEach_NoErrorSameAnswersFlatRss()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        AdaptedModel adapted = model.Adapt(BundleTestData.Examples(9), BundleTestData.Labels(9, "a", "b", "c"));
        float[][] queries = [.. Enumerable.Range(0, 8).Select(i => BundleTestData.Examples(1, seed: 100 + i))];
        float[][] expected = [.. queries.Select(q => adapted.PredictValues(q)[0])];

        RunAll(adapted, queries, expected, predictions: 200);
        long rssBefore = ProcessMemory.Measure().Rss;
        var clock = Stopwatch.StartNew();
        (int errors, int wrong) = RunAll(adapted, queries, expected, PredictionsPerThread);
        clock.Stop();
        long rssAfter = ProcessMemory.Measure().Rss;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Threads * PredictionsPerThread:N0} predictions on {Threads} threads in {clock.Elapsed.TotalSeconds:F1} s; errors {errors}, wrong {wrong}; RSS {rssBefore:N0} -> {rssAfter:N0} B"));
        Assert.Equal(0, errors);
        Assert.Equal(0, wrong);
        Assert.True(rssAfter - rssBefore < ToleranceBytes, $"resident memory grew by {rssAfter - rssBefore:N0} bytes");
    }

    private static (int Errors, int Wrong) RunAll(AdaptedModel adapted, float[][] queries, float[][] expected, int predictions)
    {
        int errors = 0;
        int wrong = 0;
        Thread[] threads = [.. Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < predictions; i++)
            {
                int q = (t + i) % queries.Length;
                try
                {
                    if (!adapted.PredictValues(queries[q])[0].AsSpan().SequenceEqual(expected[q]))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }))];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        return (errors, wrong);
    }
}
