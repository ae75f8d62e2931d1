using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>
/// <see cref="RuntimeOptions.PredictionOnly"/>: a model that opens predict.onnx alone predicts from a saved state exactly
/// as the model that adapted, holds no adaptation graph, and refuses to adapt by name.
/// </summary>
public sealed class PredictionOnlyTests
{
    private static readonly float[] Query = BundleTestData.Examples(5, seed: 13);

    public static TheoryData<string> Kinds() => ["maml", "meta-sgd", "step-rates", "anil", "protonet", "autoencoder", "regression", "support-statistics"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ASavedStatePredictsAsTheModelThatAdapted(string kind)
    {
        BundleContents contents = AdaptPredictTests.GradientBundle(kind);
        using FewShotModel full = BundleTestData.Load(contents);
        AdaptedModel adapted = AdaptPredictTests.Adapt(full, new AdaptOptions { Steps = 2 });
        var state = new MemoryStream();
        adapted.Save(state);

        // Warm-up stays on (the default): it must not try to adapt.
        using FewShotModel alone = PredictionOnly(contents);
        AdaptedModel loaded = alone.LoadAdapted(new MemoryStream(state.ToArray()));

        Assert.True(alone.Graphs.PredictionOnly);
        Assert.False(full.Graphs.PredictionOnly);
        Assert.Null(alone.Graphs.Step);
        Assert.Null(alone.Graphs.Statistics);
        Assert.Null(alone.Graphs.Features);
        Assert.Equal(adapted.Labels, loaded.Labels);
        Assert.Equal(adapted.PredictValues(Query), loaded.PredictValues(Query));
        Assert.Equal(adapted.PredictValues(Query[..TestBundles.Inputs]), loaded.PredictValues(Query[..TestBundles.Inputs]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AdaptingIsRefusedByName(string kind)
    {
        using FewShotModel alone = PredictionOnly(AdaptPredictTests.GradientBundle(kind));

        var e = Assert.Throws<InvalidOperationException>(() => AdaptPredictTests.Adapt(alone));
        Assert.Contains("RuntimeOptions.PredictionOnly", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => alone.Graphs.First);
    }

    [Fact]
    public async Task AsyncAdaptationIsRefusedToo()
    {
        using FewShotModel alone = PredictionOnly(TestBundles.Maml());

        await Assert.ThrowsAsync<InvalidOperationException>(() => alone.AdaptAsync(BundleTestData.Examples(6), BundleTestData.Labels(6, "a", "b")));
    }

    private static FewShotModel PredictionOnly(BundleContents contents)
    {
        RuntimeOptions options = BundleTestData.Options;
        options.PredictionOnly = true;
        return FewShotModel.Load(new MemoryStream(TestBundles.Bytes(contents)), options);
    }
}
