using FewShot.Runtime;
using FewShot.Runtime.Bundles;

namespace FewShot.Cli.Benchmarks;

/// <summary>
/// Times on-device adaptation through the public Runtime API on conv4 (64 channels, 28×28) bundles, 5-way 5-shot:
/// MAML with 1, 5 and 10 inner steps, prediction of the 75 queries, one step followed by a prediction, ANIL (10 head
/// steps, body once), ProtoNets (prototypes), loading the MAML bundle, and cold start (load the bundle, adapt,
/// predict the queries, dispose); then MAML's 1, 5 and 10 steps and the prediction on the strided conv4 (stride-2
/// convolutions instead of max-pooling, <see cref="FewShot.Sdk.Models.Conv4Downsampling.Stride"/>). benchmarks/adapt_torch.py does the same in PyTorch, row for row. The bundles hold
/// freshly initialized weights: latency does not depend on what was learned.
/// </summary>
internal static class AdaptBenchmark
{
    public const int Ways = 5;
    public const int Shots = 5;
    public const int Queries = 15;
    private const int ColdRuns = 10;

    public static IReadOnlyList<Timing> Run(int threads, int warmup, int runs, string? profilePrefix = null, bool keepSpinning = false)
    {
        using var bundles = AdaptBundles.Create(Ways);
        var random = new Random(0);
        var support = RandomImages(random, Ways * Shots);
        var query = RandomImages(random, Ways * Queries);
        var labels = Enumerable.Range(0, Ways * Shots).Select(i => i % Ways).ToArray();
        RuntimeOptions Options(bool warmUp) => new()
        {
            IntraOpThreads = threads, InterOpThreads = 1, ProfilingFilePrefix = profilePrefix, StopSpinningAfterRun = !keepSpinning, WarmUp = warmUp,
        };
        var options = Options(warmUp: true);

        var timings = new List<Timing>();
        // MAML's 1, 5 and 10 steps and the prediction of the queries after 5, named "maml{variant}-adapt-K" and "predict-75-queries{suffix}".
        void MamlRows(FewShotModel model, string variant, string suffix)
        {
            foreach (var steps in new[] { 1, 5, 10 })
            {
                var adaptOptions = new AdaptOptions { Steps = steps };
                timings.Add(Timing.Measure($"maml{variant}-adapt-{steps}", warmup, runs, () => model.Adapt(support, labels, adaptOptions)));
            }

            var adapted = model.Adapt(support, labels, new AdaptOptions { Steps = 5 });
            timings.Add(Timing.Measure($"predict-75-queries{suffix}", warmup, runs, () => adapted.Predict(query)));
        }

        using (var maml = FewShotModel.Load(bundles.Maml, options))
        {
            MamlRows(maml, "", "");

            // The pattern of an app serving new tasks: each adaptation followed by a prediction, two sessions in turn.
            var oneStep = new AdaptOptions { Steps = 1 };
            timings.Add(Timing.Measure("maml-adapt-1+predict", warmup, runs, () => maml.Adapt(support, labels, oneStep).Predict(query)));
        }

        using (var strided = FewShotModel.Load(bundles.MamlStrided, options))
        {
            MamlRows(strided, "-strided", "-strided");
        }

        // What support statistics (--norm support) cost on the device against batch norm's rows above: FewShot's alone.
        using (var supportNormalized = FewShotModel.Load(bundles.MamlSupport, options))
        {
            var fiveSteps = new AdaptOptions { Steps = 5 };
            timings.Add(Timing.Measure("maml-support-adapt-5", warmup, runs, () => supportNormalized.Adapt(support, labels, fiveSteps)));

            // Both make the pass over the support that computes the statistics once, after the 5 steps: statistics.onnx, or adapt_k's end.
            var unrolled = new AdaptOptions { Steps = 5, Unrolled = true };
            timings.Add(Timing.Measure("maml-support-adapt-5-unrolled", warmup, runs, () => supportNormalized.Adapt(support, labels, unrolled)));
            var adapted = supportNormalized.Adapt(support, labels, fiveSteps);
            timings.Add(Timing.Measure("predict-75-queries-support", warmup, runs, () => adapted.Predict(query)));
        }

        // Group norm, as the shipped bundles normalize (the references run it too): each example normalized by itself, so
        // above one thread the steps run on shares of the support side by side (RuntimeOptions.AdaptationShares).
        using (var groupNormalized = FewShotModel.Load(bundles.MamlGroup, options))
        {
            MamlRows(groupNormalized, "-group", "-group");
        }

        using (var anil = FewShotModel.Load(bundles.Anil, options))
        {
            var adaptOptions = new AdaptOptions { Steps = 10 };
            timings.Add(Timing.Measure("anil-adapt-10", warmup, runs, () => anil.Adapt(support, labels, adaptOptions)));
        }

        using (var protoNet = FewShotModel.Load(bundles.ProtoNet, options))
        {
            timings.Add(Timing.Measure("protonet-adapt", warmup, runs, () => protoNet.Adapt(support, labels)));
        }

        timings.Add(Timing.Measure("load-maml", 1, ColdRuns, () => FewShotModel.Load(bundles.Maml, options).Dispose()));

        // Cold start: everything a fresh app does before its first answer (the process and ORT's environment excepted),
        // without the warm-up at Load, which only pays off from the second adaptation.
        var once = Options(warmUp: false);
        // Load alone, as it was before the warm-up existed: the like-for-like row for comparisons across versions.
        timings.Add(Timing.Measure("load-maml-no-warmup", 1, ColdRuns, () => FewShotModel.Load(bundles.Maml, once).Dispose()));
        timings.Add(Timing.Measure("cold-start-maml-5", 1, ColdRuns, () => ColdStart(bundles.Maml, once, support, labels, query, 5)));

        // FewShot only: a support-statistics bundle opens one session more (statistics.onnx) and runs it once more.
        timings.Add(Timing.Measure("load-maml-support-no-warmup", 1, ColdRuns, () => FewShotModel.Load(bundles.MamlSupport, once).Dispose()));
        timings.Add(Timing.Measure("cold-start-maml-support-5", 1, ColdRuns, () => ColdStart(bundles.MamlSupport, once, support, labels, query, 5)));
        timings.Add(Timing.Measure("cold-start-protonet", 1, ColdRuns, () => ColdStart(bundles.ProtoNet, once, support, labels, query, null)));

        // FewShot only (the references have no Load to warm up in): the first 5-step adaptation after Load, against maml-adapt-5.
        timings.Add(FirstAdaptation(bundles.Maml, options, support, labels));
        return timings;
    }

    private static Timing FirstAdaptation(string bundle, RuntimeOptions options, float[] support, int[] labels)
    {
        var samples = new List<double>();
        for (var i = 0; i < ColdRuns; i++)
        {
            using var model = FewShotModel.Load(bundle, options);
            samples.Add(Timing.Measure("first", 0, 1, () => model.Adapt(support, labels, new AdaptOptions { Steps = 5 })).MedianMs);
        }

        samples.Sort();
        return new Timing("first-adapt-5-after-load", samples[ColdRuns / 2], samples[^1], ColdRuns);
    }

    private static void ColdStart(string bundle, RuntimeOptions options, float[] support, int[] labels, float[] query, int? steps)
    {
        using var model = FewShotModel.Load(bundle, options);
        model.Adapt(support, labels, new AdaptOptions { Steps = steps }).Predict(query);
    }

    private static float[] RandomImages(Random random, int count) =>
        Enumerable.Range(0, count * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f).ToArray();
}
