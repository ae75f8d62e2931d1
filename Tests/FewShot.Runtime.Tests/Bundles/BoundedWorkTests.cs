using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>What a hostile or careless caller found (issue 14): unbounded steps, unbounded batches, and silent NaN.</summary>
public sealed class BoundedWorkTests
{
    private static readonly byte[] Maml = TestBundles.Bytes(TestBundles.Maml());
    private static readonly float[] Support = BundleTestData.Examples(9);
    private static readonly string[] Labels = BundleTestData.Labels(9, "a", "b", "c");

    [Theory]
    [InlineData(100_000_000)]
    [InlineData(int.MaxValue)]
    public void ManifestWithAHugeStepCount_IsRefusedAtLoad(int steps)
    {
        byte[] bundle = BundleZip.EditManifest(Maml, m => m["innerLoop"]!["steps"] = steps);

        var e = Assert.Throws<InvalidBundleException>(() => BundleTestData.Load(bundle));

        Assert.Contains($"innerLoop.steps is {steps}", e.Message);
        Assert.Contains("MaxAdaptationSteps (1000)", e.Message);
    }

    [Fact]
    public void CallerSteps_AboveTheLimit_AreRefused_AndTheLimitIsConfigurable()
    {
        using FewShotModel model = BundleTestData.Load(Maml);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Adapt(Support, Labels, new AdaptOptions { Steps = 1_001 }));
        Assert.Contains("MaxAdaptationSteps (1000)", e.Message);

        RuntimeOptions options = BundleTestData.Options;
        options.MaxAdaptationSteps = 5;
        using FewShotModel strict = FewShotModel.Load(new MemoryStream(Maml), options);
        Assert.Throws<ArgumentOutOfRangeException>(() => strict.Adapt(Support, Labels, new AdaptOptions { Steps = 6 }));
        Assert.Equal(3, strict.Adapt(Support, Labels, new AdaptOptions { Steps = 5 }).Labels.Count);
    }

    [Fact]
    public void AdaptationTimeout_StopsALongAdaptation()
    {
        RuntimeOptions options = BundleTestData.Options;
        options.AdaptationTimeout = TimeSpan.FromMilliseconds(50);
        options.MaxAdaptationSteps = int.MaxValue;
        using FewShotModel model = FewShotModel.Load(new MemoryStream(Maml), options);

        // A million steps take minutes; the timeout stops them within a step of its deadline.
        var e = Assert.Throws<TimeoutException>(() => model.Adapt(Support, Labels, new AdaptOptions { Steps = 1_000_000 }));
        Assert.Contains("AdaptationTimeout", e.Message);
    }

    [Fact]
    public void SyncCalls_TakeACancellationToken()
    {
        using FewShotModel model = BundleTestData.Load(Maml);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => model.Adapt(Support, Labels, null, cancelled.Token));
        AdaptedModel adapted = model.Adapt(Support, Labels);
        Assert.ThrowsAny<OperationCanceledException>(() => adapted.Predict(Support, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => adapted.PredictValues(Support, cancelled.Token));
    }

    [Fact]
    public void LargeQuerySets_RunInChunks_WithTheSameAnswers()
    {
        RuntimeOptions options = BundleTestData.Options;
        options.MaxPredictionBatch = 7;
        using FewShotModel chunked = FewShotModel.Load(new MemoryStream(Maml), options);
        using FewShotModel whole = BundleTestData.Load(Maml);
        float[] queries = BundleTestData.Examples(200, seed: 3);

        IReadOnlyList<float[]> expected = whole.Adapt(Support, Labels).PredictValues(queries);
        IReadOnlyList<float[]> actual = chunked.Adapt(Support, Labels).PredictValues(queries);

        Assert.Equal(200, actual.Count);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void ReleasingMemory_ChangesNoResult(bool releaseAfterCall, bool useArena)
    {
        RuntimeOptions options = BundleTestData.Options;
        options.ReleaseMemoryAfterCall = releaseAfterCall;
        options.UseMemoryArena = useArena;
        options.MaxPredictionBatch = 5;
        using FewShotModel releasing = FewShotModel.Load(new MemoryStream(Maml), options);
        using FewShotModel keeping = BundleTestData.Load(Maml);
        float[] queries = BundleTestData.Examples(12, seed: 6);

        Assert.Equal(
            keeping.Adapt(Support, Labels, new AdaptOptions { Steps = 4 }).PredictValues(queries),
            releasing.Adapt(Support, Labels, new AdaptOptions { Steps = 4 }).PredictValues(queries));
    }

    [Fact]
    public void TwoHundredThousandQueries_ArePredicted()
    {
        using FewShotModel model = BundleTestData.Load(Maml);
        float[] queries = BundleTestData.Examples(200_000, seed: 4);

        IReadOnlyList<Prediction> predictions = model.Adapt(Support, Labels).Predict(queries);

        Assert.Equal(200_000, predictions.Count);
    }

    [Theory]
    [InlineData(1e38f)]
    [InlineData(3.4e38f)]
    [InlineData(-2f)]
    public void InputsOutsideTheDeclaredRange_AreRefusedBeforeAnyGraphRuns(float value)
    {
        // A shipped Omniglot bundle declares its input range, [0, 1] (input.preprocessing).
        using FewShotModel model = FewShotModel.Load(Path.Combine(FewShot.Tests.Shared.RepoPaths.Root, "models", "omniglot-protonet-paper.fewshot"), BundleTestData.Options);
        var random = new Random(3);
        float[] support = [.. Enumerable.Range(0, 3 * model.ExampleSize).Select(_ => random.NextSingle())];
        string[] labels = ["a", "b", "c"];
        AdaptedModel adapted = model.Adapt(support, labels);
        float[] queries = support[..(2 * model.ExampleSize)];
        queries[model.ExampleSize + 5] = value;

        var predict = Assert.Throws<ArgumentException>(() => adapted.Predict(queries));
        support[0] = value;
        var adapt = Assert.Throws<ArgumentException>(() => model.Adapt(support, labels));

        Assert.Contains("example 1, element 5, outside the model's input range [0, 1]", predict.Message);
        Assert.Contains("example 0, element 0, outside the model's input range [0, 1]", adapt.Message);
    }

    [Fact]
    public void QueriesThatOverflowTheGraph_AreAnErrorThatNamesThePrediction_NeverNaNProbabilities()
    {
        const float value = 3.4e38f;
        using FewShotModel model = BundleTestData.Load(Maml);
        AdaptedModel adapted = model.Adapt(Support, Labels);
        float[] queries = BundleTestData.Examples(3);
        queries.AsSpan().Fill(value);

        var e = Assert.Throws<NonFiniteResultException>(() => adapted.Predict(queries));

        Assert.Equal("prediction", e.Stage);
        Assert.Contains("far outside the range", e.Message);
    }

    [Fact]
    public void ASupportExampleThatOverflowsTheGraph_IsAnErrorThatNamesTheStep_NotAUniformModel()
    {
        using FewShotModel model = BundleTestData.Load(Maml);
        float[] support = [.. Support];
        support.AsSpan().Fill(3.4e38f);

        var e = Assert.Throws<NonFiniteResultException>(() => model.Adapt(support, Labels, new AdaptOptions { Steps = 3 }));

        Assert.StartsWith("adapt step ", e.Stage);
        Assert.Contains($"after {e.Stage}.", e.Message);
    }
}
