using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary><see cref="RuntimeOptions.ProfilingFilePrefix"/> puts ONNX Runtime's per-graph profiles where it says.</summary>
public sealed class ProfilingTests
{
    [Fact]
    public void ProfilesAreWrittenUnderThePrefixOnePerGraph()
    {
        var folder = Directory.CreateTempSubdirectory("fewshot-profile-").FullName;
        try
        {
            var options = new RuntimeOptions { IntraOpThreads = 1, InterOpThreads = 1, WarmUp = false, ProfilingFilePrefix = Path.Combine(folder, "run") };
            using (var stream = new MemoryStream(TestBundles.Bytes(TestBundles.Maml(steps: 2, rate: 0.5f))))
            using (var model = FewShotModel.Load(stream, options))
            {
                model.Adapt(BundleTestData.Examples(6), [0, 1, 2, 0, 1, 2]).PredictValues(BundleTestData.Examples(2));
            }

            // ORT writes a session's profile when the session closes, named <prefix>_<date and time>.json.
            var profiles = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray();
            Assert.Contains(profiles, f => f!.StartsWith("run_predict_", StringComparison.Ordinal) && f.EndsWith(".json", StringComparison.Ordinal));
            Assert.Contains(profiles, f => f!.StartsWith("run_adapt", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
