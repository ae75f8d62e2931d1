using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace FewShot.Benchmarks.TorchSharp;

/// <summary>
/// <c>adapt-torchsharp bench THREADS RUNS WARMUP</c>: the rows of <c>fewshot bench adapt</c> as one JSON object, like
/// benchmarks/adapt_torch.py. <c>adapt-torchsharp cold THREADS WEIGHTS</c>: a whole-process cold start (load the
/// weights written by <c>save</c>, adapt 5 steps on 25 support images, predict 75 queries); <c>save WEIGHTS</c>
/// writes them (raw float32, conv4's parameters in order).
/// </summary>
internal static class Program
{
    private const int Shots = 5;
    private const int Queries = 15;
    private const int ColdRuns = 10;

    // The rows' fields as `fewshot bench adapt --json` names them.
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static int Main(string[] args)
    {
        var threads = args.Length > 1 && args[0] != "save" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        torch.set_num_threads(threads);
        var generator = new Generator(0);
        var classifier = Conv4.Parameters(generator, Adaptation.Ways);
        var encoder = Conv4.Parameters(generator, 0);
        var support = (rand([Adaptation.Ways * Shots, 1, 28, 28], generator: generator) < 0.15).to_type(ScalarType.Float32);
        var query = (rand([Adaptation.Ways * Queries, 1, 28, 28], generator: generator) < 0.15).to_type(ScalarType.Float32);
        var labels = arange(Adaptation.Ways * Shots, ScalarType.Int64) % Adaptation.Ways;
        switch (args.FirstOrDefault())
        {
            case "save":
                Weights.Save(args[1], classifier);
                return 0;
            case "cold":
                var predicted = Adaptation.Predict(Adaptation.Maml(Weights.Load(args[2], Adaptation.Ways), support, labels, 5), query);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{predicted.shape[0]} queries predicted"));
                return 0;
            case "bench":
                var (runs, warmup) = (int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    engine = "torchsharp",
                    torch = torch.__version__,
                    threads,
                    timings = Bench(classifier, encoder, support, query, labels, runs, warmup),
                }, JsonOptions));
                return 0;
            default:
                Console.Error.WriteLine("usage: adapt-torchsharp bench THREADS RUNS WARMUP | cold THREADS WEIGHTS | save WEIGHTS");
                return 2;
        }
    }

    private static List<Timing> Bench(Tensor[] classifier, Tensor[] encoder, Tensor support, Tensor query, Tensor labels, int runs, int warmup)
    {
        var folder = Directory.CreateTempSubdirectory("adapt-torchsharp-").FullName;
        try
        {
            var (classifierFile, encoderFile) = (Path.Combine(folder, "maml.bin"), Path.Combine(folder, "protonet.bin"));
            Weights.Save(classifierFile, classifier);
            Weights.Save(encoderFile, encoder);
            var adapted = Adaptation.Maml(classifier, support, labels, 5);
            var rows = new List<(string Name, Action Run, int Warmup, int Runs)>();
            foreach (var steps in new[] { 1, 5, 10 })
            {
                rows.Add(($"maml-adapt-{steps}", () => Dispose(Adaptation.Maml(classifier, support, labels, steps)), warmup, runs));
            }

            rows.Add(("predict-75-queries", () => Adaptation.Predict(adapted, query).Dispose(), warmup, runs));
            rows.Add(("maml-adapt-1+predict", () =>
            {
                var fast = Adaptation.Maml(classifier, support, labels, 1);
                Adaptation.Predict(fast, query).Dispose();
                Dispose(fast);
            }, warmup, runs));
            rows.Add(("anil-adapt-10", () => Dispose(Adaptation.Anil(classifier, support, labels, 10)[16..]), warmup, runs));
            rows.Add(("protonet-adapt", () => Adaptation.Prototypes(encoder, support, labels).Dispose(), warmup, runs));
            rows.Add(("load-maml", () => Dispose(Weights.Load(classifierFile, Adaptation.Ways)), 1, ColdRuns));
            rows.Add(("cold-start-maml-5", () =>
            {
                var weights = Weights.Load(classifierFile, Adaptation.Ways);
                var fast = Adaptation.Maml(weights, support, labels, 5);
                Adaptation.Predict(fast, query).Dispose();
                Dispose(fast);
                Dispose(weights);
            }, 1, ColdRuns));
            rows.Add(("cold-start-protonet", () =>
            {
                var weights = Weights.Load(encoderFile, 0);
                using var prototypes = Adaptation.Prototypes(weights, support, labels);
                Adaptation.PredictPrototypes(weights, prototypes, query).Dispose();
                Dispose(weights);
            }, 1, ColdRuns));
            foreach (var steps in new[] { 1, 5, 10 })
            {
                rows.Add(($"maml-strided-adapt-{steps}", () => Dispose(Adaptation.Maml(classifier, support, labels, steps, strided: true)), warmup, runs));
            }

            var strided = Adaptation.Maml(classifier, support, labels, 5, strided: true);
            rows.Add(("predict-75-queries-strided", () => Adaptation.Predict(strided, query, strided: true).Dispose(), warmup, runs));
            var timings = rows.Select(r => Measure(r.Name, r.Run, r.Warmup, r.Runs)).ToList();

            // conv4 with group norm, as the shipped bundles normalize: NCHW or channels-last, whichever is faster.
            foreach (var steps in new[] { 1, 5, 10 })
            {
                timings.Add(new[] { false, true }
                    .Select(channelsLast => Measure($"maml-group-adapt-{steps}", () => Dispose(Adaptation.MamlGroupNorm(classifier, support, labels, steps, channelsLast)), warmup, runs))
                    .MinBy(t => t.MedianMs)!);
            }

            Dispose(adapted);
            Dispose(strided);
            return timings;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Dispose(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors)
        {
            t.Dispose();
        }
    }

    private static Timing Measure(string name, Action action, int warmup, int runs)
    {
        for (var i = 0; i < warmup; i++)
        {
            action();
        }

        var samples = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return new Timing(name, samples[runs / 2], samples[Math.Min(runs - 1, (int)Math.Ceiling(0.95 * runs) - 1)], runs);
    }

    /// <summary>One row: median and 95th percentile in ms over the timed runs.</summary>
    private sealed record Timing(string Name, double MedianMs, double P95Ms, int Runs);
}
