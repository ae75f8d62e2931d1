using System.Globalization;
using FewShot.Runtime.Interop;
using FewShot.Runtime.Tests.Models;
using Xunit.Abstractions;

namespace FewShot.Runtime.Tests;

[Collection(SerialCollection.Name)]
public sealed class LeakTests(ITestOutputHelper output)
{
    // Each run handles 4 KiB tensors (1,024 floats): two inputs, one output. A leak of any one of them per run grows
    // memory by at least 10,000 × 4 KiB ≈ 40 MB, five times the 8 MB tolerance; the tolerance itself absorbs what
    // is not a leak: allocator and arena high-water marks, JIT and tiered compilation, and GC heap sizing.
    private const int Elements = 1024;
    private const int WarmUpRuns = 1_000;
    private const int MeasuredRuns = 10_000;
    private const long ToleranceBytes = 8L * 1024 * 1024;

    [Fact]
    [Trait("Category", "Slow")]
    public void TenThousandRuns_LeaveNoNativeObjectAndGrowNeitherManagedMemoryNorRss()
    {
        using var session = new InferenceSession(TestModels.Binary("Add", TensorElementType.Float, Elements));
        using SessionRunner runner = session.CreateRunner(["a", "b"], ["c"]);
        float[] a = [.. Enumerable.Range(0, Elements).Select(i => (float)i)];
        float[] b = new float[Elements];
        b.AsSpan().Fill(0.5f);
        var outputs = new OrtTensor?[1];

        RunMany(runner, a, b, outputs, WarmUpRuns);
        (long managedBefore, long rssBefore) = Measure();
        long handlesBefore = OrtHandle.LiveCount;
        RunMany(runner, a, b, outputs, MeasuredRuns);

        // Read before any collection: a tensor that is not disposed is released only by its finalizer, which the
        // collection in Measure would run, hiding the missing Dispose.
        long handlesAfter = OrtHandle.LiveCount;
        (long managedAfter, long rssAfter) = Measure();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"native objects {handlesBefore} -> {handlesAfter}; managed {managedBefore:N0} -> {managedAfter:N0} B; RSS {rssBefore:N0} -> {rssAfter:N0} B"));
        Assert.Equal(handlesBefore, handlesAfter);
        Assert.True(managedAfter - managedBefore < ToleranceBytes, $"managed memory grew by {managedAfter - managedBefore:N0} bytes");
        Assert.True(rssAfter - rssBefore < ToleranceBytes, $"resident memory grew by {rssAfter - rssBefore:N0} bytes");
    }

    private static void RunMany(SessionRunner runner, float[] a, float[] b, OrtTensor?[] outputs, int runs)
    {
        for (int run = 0; run < runs; run++)
        {
            // Both ways of making inputs: over a pinned array, and a copy into ORT's allocator.
            using var ta = OrtTensor.FromArray(a, Elements);
            using var tb = OrtTensor.CopyFrom<float>(b, Elements);
            outputs[0] = null;
            runner.Run([ta, tb], outputs);
            using OrtTensor c = outputs[0]!;
            if (c.GetSpan<float>()[Elements - 1] != Elements - 0.5f)
            {
                Assert.Fail($"run {run} computed {c.GetSpan<float>()[Elements - 1]}");
            }
        }
    }

    private static (long Managed, long Rss) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managed = GC.GetTotalMemory(forceFullCollection: true);

        // /proc/self/statm: size resident shared text lib data dt, in pages.
        string[] statm = File.ReadAllText("/proc/self/statm").Split(' ');
        long rss = long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        return (managed, rss);
    }
}
