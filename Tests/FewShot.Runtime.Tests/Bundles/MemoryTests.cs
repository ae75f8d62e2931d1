using System.Globalization;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;
using FewShot.Tests.Shared;
using Xunit.Abstractions;

namespace FewShot.Runtime.Tests.Bundles;

[Collection(SerialCollection.Name)]
public sealed class MemoryTests(ITestOutputHelper output)
{
    // A 256-64-5 MLP, 25 support and 25 query examples: every per-call buffer is at least 25 KiB (support and query
    // inputs, θ′ of 66 KiB), so leaking any one of them per call grows memory by at least 10,000 × 25 KiB ≈ 250 MB,
    // fifteen times the tolerance. The tolerance absorbs what is not a leak: ONNX Runtime's arena and the allocator's
    // high-water marks, JIT and tiered compilation, and GC heap sizing.
    private const int Inputs = 256;
    private const int Examples = 25;
    private const int WarmUpCalls = 1_000;
    private const int MeasuredCalls = 10_000;
    private const long ToleranceBytes = 16L * 1024 * 1024;

    [Fact]
    [Trait("Category", "Slow")]
    public void TenThousandAdaptAndPredictCalls_GrowNeitherManagedMemoryNorRss()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml(inputs: Inputs, hidden: 64, classes: 5, steps: 3));
        float[] support = BundleTestData.Examples(Examples, Inputs, seed: 1);
        float[] query = BundleTestData.Examples(Examples, Inputs, seed: 2);
        string[] labels = BundleTestData.Labels(Examples, "a", "b", "c", "d", "e");

        Call(model, support, query, labels, WarmUpCalls);
        (long managedBefore, long rssBefore) = ProcessMemory.Measure();
        Call(model, support, query, labels, MeasuredCalls);
        (long managedAfter, long rssAfter) = ProcessMemory.Measure();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"managed {managedBefore:N0} -> {managedAfter:N0} B; RSS {rssBefore:N0} -> {rssAfter:N0} B"));
        Assert.True(managedAfter - managedBefore < ToleranceBytes, $"managed memory grew by {managedAfter - managedBefore:N0} bytes");
        Assert.True(rssAfter - rssBefore < ToleranceBytes, $"resident memory grew by {rssAfter - rssBefore:N0} bytes");
    }

    private static void Call(FewShotModel model, float[] support, float[] query, string[] labels, int calls)
    {
        var unrolled = new AdaptOptions { Unrolled = true };
        var stepped = new AdaptOptions { Steps = 2 };
        for (int call = 0; call < calls; call++)
        {
            // Both adaptation paths: adapt_k once, and the one-step graph run twice.
            AdaptedModel adapted = model.Adapt(support, labels, call % 2 == 0 ? unrolled : stepped);
            IReadOnlyList<Prediction> predictions = adapted.Predict(query);
            if (predictions.Count != Examples)
            {
                Assert.Fail($"call {call} predicted {predictions.Count} queries");
            }
        }
    }
}
