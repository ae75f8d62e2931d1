using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>
/// Bundles that declare separable steps (innerLoop.separableSteps) adapt on shares of the support set side by side
/// (RuntimeOptions.AdaptationShares): the state after each step is the size-weighted mean of the shares' steps, which is
/// the step on the whole set, so the adapted model equals the one adapted in one piece to rounding, whatever the split.
/// Bundles whose predictions do not depend on the batch predict on shares of the queries (PredictionShares).
/// </summary>
public sealed class SharesTests
{
    private static readonly float[] Query = BundleTestData.Examples(7, seed: 11);

    public static TheoryData<string, int, int> Cases => new()
    {
        { "maml", 12, 2 },
        { "maml", 13, 3 },
        { "meta-sgd", 16, 4 },
        { "step-rates", 12, 2 },
        { "regression", 10, 2 },
        { "autoencoder", 9, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SharesAdaptAsTheWholeSetDoes(string bundle, int count, int shares)
    {
        byte[] separable = TestBundles.Bytes(Separable(Contents(bundle)));
        using FewShotModel whole = Load(separable, shares: 1);
        using FewShotModel split = Load(separable, shares);
        Assert.Equal(1, whole.Graphs.AdaptationShares);
        Assert.Equal(shares, split.Graphs.AdaptationShares);

        int size = bundle is "regression" ? 1 : TestBundles.Inputs;
        float[] support = BundleTestData.Examples(count, size);
        var options = new AdaptOptions { Steps = 4 };
        (AdaptedModel one, AdaptedModel many) = bundle switch
        {
            "regression" => (whole.AdaptRegression(support, Targets(count), options), split.AdaptRegression(support, Targets(count), options)),
            "autoencoder" => (whole.AdaptUnlabeled(support, options), split.AdaptUnlabeled(support, options)),
            _ => (whole.Adapt(support, BundleTestData.Labels(count, "a", "b", "c"), options), split.Adapt(support, BundleTestData.Labels(count, "a", "b", "c"), options)),
        };

        double moved = 0;
        foreach (AdaptedTensor tensor in one.Tensors)
        {
            float[] expected = tensor.Values.ToArray();
            float[] actual = many.Tensors.Single(t => t.Name == tensor.Name).Values.ToArray();
            Tolerance.Close(expected, actual, 1e-5, $"'{tensor.Name}' adapted on {shares} shares");
            moved = Math.Max(moved, expected.Zip(TestBundles.Theta(Contents(bundle), tensor.Name)).Max(p => Math.Abs(p.First - p.Second)));
        }

        Assert.True(moved > 1e-3, "adaptation left θ where it was, so the comparison proves nothing");
        if (bundle is not ("regression" or "autoencoder"))
        {
            IReadOnlyList<Prediction> a = one.Predict(Query);
            IReadOnlyList<Prediction> b = many.Predict(Query);
            for (int i = 0; i < a.Count; i++)
            {
                Tolerance.Close(a[i].Probabilities, b[i].Probabilities.ToArray(), 1e-5, $"query {i}");
            }
        }
    }

    [Fact]
    public void CallsOnManyThreadsAtOnceEachGetTheirOwnAnswer()
    {
        using FewShotModel model = Load(TestBundles.Bytes(Separable(TestBundles.Maml())), shares: 2);
        float[][] supports = [.. Enumerable.Range(0, 6).Select(i => BundleTestData.Examples(12, seed: 20 + i))];
        string[] labels = BundleTestData.Labels(12, "a", "b", "c");
        var options = new AdaptOptions { Steps = 3 };
        float[][] alone = [.. supports.Select(s => model.Adapt(s, labels, options).Predict(Query).SelectMany(p => p.Probabilities).ToArray())];

        float[][] together = new float[supports.Length][];
        Parallel.For(0, supports.Length, new ParallelOptions { MaxDegreeOfParallelism = 6 },
            i => together[i] = model.Adapt(supports[i], labels, options).Predict(Query).SelectMany(p => p.Probabilities).ToArray());

        for (int i = 0; i < supports.Length; i++)
        {
            Assert.Equal(alone[i], together[i]);
        }
    }

    [Fact]
    public void ABundleThatDoesNotDeclareSeparableStepsAdaptsInOnePiece()
    {
        using FewShotModel model = Load(TestBundles.Bytes(TestBundles.Maml()), shares: 2);
        Assert.Equal(1, model.Graphs.AdaptationShares);
    }

    [Fact]
    public void SupportStatisticsKeepTheWholeSetTogetherEvenWhenDeclared()
    {
        // Statistics of the whole support (MetaBN) couple the examples; a bundle that says otherwise is not split.
        using FewShotModel model = Load(TestBundles.Bytes(Separable(TestBundles.SupportStatistics())), shares: 2);
        Assert.Equal(1, model.Graphs.AdaptationShares);
    }

    [Fact]
    public void SmallSupportSetsAndUnrolledRunsAdaptInOnePieceWithTheSameResult()
    {
        byte[] separable = TestBundles.Bytes(Separable(TestBundles.Maml()));
        using FewShotModel whole = Load(separable, shares: 1);
        using FewShotModel split = Load(separable, shares: 2);

        // Fewer than two shares of RuntimeOptions.MinExamplesPerShare: one piece, so the very same sums.
        float[] support = BundleTestData.Examples(RuntimeOptions.MinExamplesPerShare + 1);
        string[] labels = BundleTestData.Labels(RuntimeOptions.MinExamplesPerShare + 1, "a", "b", "c");
        AdaptedModel a = whole.Adapt(support, labels, new AdaptOptions { Steps = 3 });
        AdaptedModel b = split.Adapt(support, labels, new AdaptOptions { Steps = 3 });
        Assert.Equal(a.Tensors.Select(t => t.Values.ToArray()), b.Tensors.Select(t => t.Values.ToArray()));

        float[] larger = BundleTestData.Examples(12);
        string[] largerLabels = BundleTestData.Labels(12, "a", "b", "c");
        AdaptedModel c = whole.Adapt(larger, largerLabels, new AdaptOptions { Steps = 3, Unrolled = true });
        AdaptedModel d = split.Adapt(larger, largerLabels, new AdaptOptions { Steps = 3, Unrolled = true });
        Assert.Equal(c.Tensors.Select(t => t.Values.ToArray()), d.Tensors.Select(t => t.Values.ToArray()));
    }

    [Fact]
    public void ADivergingShareNamesTheStep()
    {
        using FewShotModel model = Load(TestBundles.Bytes(Separable(TestBundles.Maml(rate: 1e30f))), shares: 2);
        float[] support = BundleTestData.Examples(12);
        var e = Assert.Throws<NonFiniteResultException>(() => model.Adapt(support, BundleTestData.Labels(12, "a", "b", "c"), new AdaptOptions { Steps = 3 }));
        Assert.Contains("adapt step", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CancellationStopsSharedSteps()
    {
        using FewShotModel model = Load(TestBundles.Bytes(Separable(TestBundles.Maml())), shares: 2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        float[] support = BundleTestData.Examples(12);
        Assert.ThrowsAny<OperationCanceledException>(() => model.Adapt(support, BundleTestData.Labels(12, "a", "b", "c"), new AdaptOptions { Steps = 3 }, cancelled.Token));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NegativeSharesAreRefusedAtLoad(bool separable)
    {
        // Also where the bundle would not use them (steps not separable), or the device (CUDA): a setting out of range is an error either way.
        foreach (bool prediction in new[] { false, true })
        {
            using var stream = new MemoryStream(TestBundles.Bytes(separable ? Separable(TestBundles.Maml()) : TestBundles.Maml()));
            var options = BundleTestData.Options;
            options.AdaptationShares = prediction ? 0 : -1;
            options.PredictionShares = prediction ? -1 : 0;
            Assert.Throws<ArgumentOutOfRangeException>(() => FewShotModel.Load(stream, options));
        }
    }

    [Theory]
    [InlineData("maml", 2)]
    [InlineData("maml", 3)]
    [InlineData("protonet", 2)]
    public void QueriesPredictedInSharesGetTheirOnePieceAnswers(string bundle, int shares)
    {
        byte[] bytes = TestBundles.Bytes(bundle == "protonet" ? TestBundles.ProtoNet() : TestBundles.Maml());
        using FewShotModel whole = Load(bytes, shares: 1);
        using FewShotModel split = Load(bytes, shares);
        Assert.Equal(1, whole.Graphs.PredictionShares);
        Assert.Equal(shares, split.Graphs.PredictionShares);

        float[] support = BundleTestData.Examples(9);
        string[] labels = BundleTestData.Labels(9, "a", "b", "c");
        float[] queries = BundleTestData.Examples(23, seed: 12);
        IReadOnlyList<Prediction> a = whole.Adapt(support, labels).Predict(queries);
        IReadOnlyList<Prediction> b = split.Adapt(support, labels).Predict(queries);
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Label, b[i].Label);
            Tolerance.Close(a[i].Probabilities, b[i].Probabilities.ToArray(), 1e-6, $"query {i} predicted in {shares} shares");
        }
    }

    [Fact]
    public void TransductiveBundlesPredictInOnePiece()
    {
        BundleContents maml = TestBundles.Maml();
        var transductive = new BundleContents
        {
            Manifest = maml.Manifest with { FeatureNormalization = FeatureNormalizationNames.Batch, BatchNorm = ModelManifest.BatchStatisticsText },
            Parameters = maml.Parameters,
            Predict = maml.Predict,
            Adapt = maml.Adapt,
            AdaptK = maml.AdaptK,
        };
        using FewShotModel model = Load(TestBundles.Bytes(transductive), shares: 2);
        Assert.True(model.Manifest.PredictionsDependOnBatch);
        Assert.Equal(1, model.Graphs.PredictionShares);
    }

    private static BundleContents Contents(string bundle) => bundle switch
    {
        "maml" => TestBundles.Maml(),
        "meta-sgd" => TestBundles.Maml(metaSgd: true),
        "step-rates" => TestBundles.Maml(steps: 2, stepRates: [0.6f, 0.3f]),
        "regression" => TestBundles.Regression(),
        _ => TestBundles.Autoencoder(),
    };

    /// <summary>The bundle with its manifest declaring separable steps.</summary>
    internal static BundleContents Separable(BundleContents contents) => new()
    {
        Manifest = contents.Manifest with { InnerLoop = contents.Manifest.InnerLoop! with { SeparableSteps = true } },
        Parameters = contents.Parameters,
        Predict = contents.Predict,
        Adapt = contents.Adapt,
        AdaptK = contents.AdaptK,
        Statistics = contents.Statistics,
    };

    private static FewShotModel Load(byte[] bundle, int shares)
    {
        using var stream = new MemoryStream(bundle);
        var options = BundleTestData.Options;
        options.AdaptationShares = shares;
        options.PredictionShares = shares;
        return FewShotModel.Load(stream, options);
    }

    private static float[] Targets(int count) => [.. Enumerable.Range(0, count).Select(i => (float)Math.Sin(i))];
}
