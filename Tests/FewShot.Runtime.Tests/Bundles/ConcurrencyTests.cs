using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>One loaded model serves many threads adapting and predicting at once, with the results of sequential calls.</summary>
public sealed class ConcurrencyTests
{
    private const int Tasks = 24;
    private const int Repeats = 4;

    [Theory]
    [InlineData("maml")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("support-statistics")]
    public void ConcurrentAdaptationsAndPredictions_EqualSequentialOnes(string kind)
    {
        using FewShotModel model = BundleTestData.Load(AdaptPredictTests.GradientBundle(kind));
        float[] query = BundleTestData.Examples(8, seed: 99);

        // One session thread each (BundleTestData.Options), so a run's sums are the same whichever thread runs it.
        float[][] expected = [.. Enumerable.Range(0, Tasks).Select(t => Run(model, t, query))];
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Thread[] threads = [.. Enumerable.Range(0, 8).Select(worker => new Thread(() =>
        {
            for (int i = worker; i < Tasks * Repeats; i += 8)
            {
                int task = i % Tasks;
                if (!Run(model, task, query).AsSpan().SequenceEqual(expected[task]))
                {
                    failures.Add($"task {task} (iteration {i}) differs from its sequential result");
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

        Assert.Empty(failures);
    }

    [Fact]
    public async Task OneAdaptedModelServesConcurrentPredictions()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        AdaptedModel adapted = model.Adapt(BundleTestData.Examples(6), BundleTestData.Labels(6, "a", "b", "c"));
        float[] query = BundleTestData.Examples(16, seed: 5);
        float[][] expected = [.. adapted.PredictValues(query)];

        IReadOnlyList<float[]>[] results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => adapted.PredictValuesAsync(query)));

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Theory]
    [InlineData("maml")]
    [InlineData("anil")]
    public void ThreadsThatFirstAskForTheUnrolledGraphAtOnce_OpenItOnceAndAgree(string kind)
    {
        BundleContents contents = AdaptPredictTests.GradientBundle(kind);
        float[] support = BundleTestData.Examples(9, seed: 3);
        string[] labels = BundleTestData.Labels(9, "a", "b", "c");
        var unrolled = new AdaptOptions { Unrolled = true };
        float[] expected;
        using (FewShotModel reference = BundleTestData.Load(contents))
        {
            expected = [.. reference.Adapt(support, labels, unrolled).Tensors.SelectMany(t => t.Values.ToArray())];
        }

        using FewShotModel model = BundleTestData.Load(contents);
        using var start = new Barrier(8);
        var results = new float[8][];
        Thread[] threads = [.. Enumerable.Range(0, 8).Select(worker => new Thread(() =>
        {
            start.SignalAndWait();
            results[worker] = [.. model.Adapt(support, labels, unrolled).Tensors.SelectMany(t => t.Values.ToArray())];
        }))];

        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.All(results, r => Assert.Equal(expected, r));
    }

    /// <summary>Adapts to task <paramref name="task"/>'s support set (the unrolled graph, K one-step runs or K + 1 in turn), saves and reloads the state, predicts.</summary>
    private static float[] Run(FewShotModel model, int task, float[] query)
    {
        var options = new AdaptOptions
        {
            Steps = model.Manifest.InnerLoop is { } loop && task % 3 != 0 ? loop.Steps + (task % 2) : null,
            Unrolled = task % 3 == 0,
        };
        AdaptedModel adapted = model.Adapt(BundleTestData.Examples(9, seed: task), BundleTestData.Labels(9, "a", "b", "c"), options);
        using var state = new MemoryStream();
        adapted.Save(state);
        state.Position = 0;
        return [.. model.LoadAdapted(state).PredictValues(query).SelectMany(row => row)];
    }
}
