using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FewShot.Cli.Benchmarks;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Cli.Commands;

/// <summary>
/// <c>fewshot bench</c>: latency of FewShot's own graphs (median and p95 after warm-up). Speed claims compare these
/// with the PyTorch reference run by the scripts in benchmarks/ on the same machine, never alone.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var what = new Argument<string>("what") { Description = "conv4: forward, forward+backward and a second-order MAML meta-gradient on a 5-way 1-shot task; adapt: on-device adaptation latency and cold start through the Runtime API, 5-way 5-shot; train: meta-training throughput of one --case on the TorchSharp trainer" };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads: ONNX Runtime's (conv4, adapt) or libtorch's (train); 0: the library's choice", DefaultValueFactory = _ => 1 }.AtLeast(0);
        var runs = new Option<int>("--runs") { Description = "Timed runs after warm-up", DefaultValueFactory = _ => 30 }.AtLeast(1);
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first", DefaultValueFactory = _ => 5 }.AtLeast(0);
        var profile = new Option<string?>("--profile") { Description = "Also write ONNX Runtime's per-node profiles (Chrome-trace JSON) with this file prefix; slows the runs" };
        var keepSpinning = new Option<bool>("--keep-spinning") { Description = "adapt: let ORT's workers spin on after each run (RuntimeOptions.StopSpinningAfterRun = false), for comparison" };
        var trainCase = new Option<string>("--case") { Description = $"train: one of {string.Join(", ", TrainBenchmark.Cases)}", DefaultValueFactory = _ => "maml-1" };
        var norm = new Option<string>("--norm") { Description = "train: conv4's normalization (batch: the PyTorch reference's; group, instance or layer: per example)", DefaultValueFactory = _ => "batch" };
        norm.AcceptOnlyFromAmong([.. FeatureNormalizations.Names]);
        var keepBundles = new Option<string?>("--keep-bundles") { Description = "adapt: only write the benchmark's conv4 bundles (maml, anil, protonet .fewshot) into this folder, for whole-process cold starts (benchmarks/cold-start.sh)" };
        var json = RunOptions.Json();
        var command = new Command("bench", "Time FewShot's graphs on ONNX Runtime (conv4, adapt) or its TorchSharp trainer (train); compare with benchmarks/*.py on the same machine.") { what, threads, runs, warmup, profile, keepSpinning, keepBundles, trainCase, norm, json };
        command.SetAction((parse, _) => CommandErrors.Run(error, () =>
        {
            if (parse.GetValue(keepBundles) is { } folder)
            {
                AdaptBundles.Keep(folder, AdaptBenchmark.Ways);
                return 0;
            }

            if (parse.GetValue(what) == "train")
            {
                var t = TrainBenchmark.Run(parse.GetValue(trainCase)!, FeatureNormalizations.Parse(parse.GetValue(norm)!), parse.GetValue(threads), parse.GetValue(warmup), parse.GetValue(runs), error);
                output.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(new { engine = "torch", @case = t.Name, norm = parse.GetValue(norm), threads = parse.GetValue(threads), tasksPerSecond = t.TasksPerSecond, medianMs = t.MedianIterationMs, minMs = t.FastestIterationMs, peakRssMb = t.PeakRssMb, malloc = MallocRestart.RunningMalloc(), trainerWarnings = t.TrainerWarnings, libtorchOneDnn = LibTorchOneDnn.Enabled, oneDnnDifference = LibTorchOneDnn.LargestDifference is { } measured && double.IsFinite(measured) ? measured : (double?)null, oneDnnRejected = LibTorchOneDnn.Rejection is not null })
                    : string.Create(CultureInfo.InvariantCulture, $"{t.Name} on TorchSharp: {t.TasksPerSecond:F2} tasks/s (median iteration {t.MedianIterationMs:F1} ms, fastest {t.FastestIterationMs:F1} ms), peak RSS {t.PeakRssMb:F0} MB ({MallocRestart.RunningMalloc()} malloc){(t.TrainerWarnings > 0 ? $", {t.TrainerWarnings} trainer warning(s) (a side-by-side fallback is one)" : "")}, libtorch's oneDNN {(LibTorchOneDnn.Enabled ? "on" : "off")}{(LibTorchOneDnn.LargestDifference is { } d ? $" (checked: relative difference {d:G2})" : "")}"));
                if (LibTorchOneDnn.Rejection is { } rejection)
                {
                    error.WriteLine($"note: {rejection}");
                }

                return 0;
            }

            var timings = parse.GetValue(what) switch
            {
                "conv4" => Conv4Benchmark.Run(parse.GetValue(threads), parse.GetValue(warmup), parse.GetValue(runs), parse.GetValue(profile)),
                "adapt" => AdaptBenchmark.Run(parse.GetValue(threads), parse.GetValue(warmup), parse.GetValue(runs), parse.GetValue(profile), parse.GetValue(keepSpinning)),
                var other => throw new ArgumentException($"unknown benchmark '{other}': expected conv4, adapt or train"),
            };
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    engine = "fewshot",
                    onnxRuntime = FewShot.Runtime.OnnxRuntimeEnvironment.EnsureCreated().GetVersionString(),
                    threads = parse.GetValue(threads),
                    timings = timings.Select(t => new { name = t.Name, medianMs = t.MedianMs, p95Ms = t.P95Ms, runs = t.Runs }),
                }));
            }
            else
            {
                foreach (var t in timings)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.Name,-22} median {t.MedianMs,9:F2} ms   p95 {t.P95Ms,9:F2} ms   ({t.Runs} runs)"));
                }
            }

            return 0;
        }));
        return command;
    }
}
