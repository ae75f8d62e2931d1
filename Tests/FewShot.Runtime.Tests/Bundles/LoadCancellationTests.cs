using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

// A token cancelled while a load is under way: cancelled from the load's own hook once its first ONNX Runtime session
// exists, so that what is asserted depends on where the load checks the token, never on timing.
public sealed class LoadCancellationTests
{
    public static TheoryData<string, bool> Bundles => new()
    {
        // predict.onnx and adapt.onnx are created side by side: seen once both exist, before the warm-up.
        { "maml", false },
        // predict.onnx alone: seen once it exists.
        { "maml", true },
        // Seen between sessions: statistics.onnx, created after the other two, is never created.
        { "statistics", false },
    };

    [Theory]
    [MemberData(nameof(Bundles))]
    public void ATokenCancelledOnceTheFirstSessionExists_StopsTheLoad_AndDisposesEverySessionItCreated(string bundle, bool predictionOnly)
    {
        BundleContents contents = bundle == "maml" ? TestBundles.Maml() : TestBundles.SupportStatistics();
        RuntimeOptions options = BundleTestData.Options;
        options.PredictionOnly = predictionOnly;
        using var stream = new MemoryStream(TestBundles.Bytes(contents));
        using var cancellation = new CancellationTokenSource();
        var created = new List<(BundleGraphs Graphs, string Entry)>();

        void SessionCreated(BundleGraphs graphs, string entry)
        {
            // Called from two threads at once where two sessions are created side by side.
            lock (created)
            {
                created.Add((graphs, entry));
            }

            cancellation.Cancel();
        }

        var error = Assert.ThrowsAny<OperationCanceledException>(() => FewShotModel.Load(stream, options, null, cancellation.Token, SessionCreated));

        Assert.Equal(cancellation.Token, error.CancellationToken);
        string[] expected = predictionOnly ? [BundleNames.PredictEntry] : [BundleNames.AdaptEntry, BundleNames.PredictEntry];
        Assert.Equal(expected, created.Select(c => c.Entry).Order(StringComparer.Ordinal));
        BundleGraphs loaded = Assert.Single(created.Select(c => c.Graphs).Distinct());
        Assert.True(loaded.IsDisposed, "the cancelled load left its sessions and θ₀ values undisposed");
    }

    [Fact]
    public void AnUncancelledToken_LetsTheLoadFinish_AndTheHookSeesEverySession()
    {
        using var stream = new MemoryStream(TestBundles.Bytes(TestBundles.SupportStatistics()));
        using var cancellation = new CancellationTokenSource();
        var entries = new List<string>();

        using FewShotModel model = FewShotModel.Load(stream, BundleTestData.Options, null, cancellation.Token, (_, entry) =>
        {
            lock (entries)
            {
                entries.Add(entry);
            }
        });

        Assert.Equal([BundleNames.AdaptEntry, BundleNames.PredictEntry, BundleNames.StatisticsEntry], entries.Order(StringComparer.Ordinal));
        Assert.False(model.Graphs.IsDisposed);
        model.Dispose();
        Assert.True(model.Graphs.IsDisposed);
    }
}
