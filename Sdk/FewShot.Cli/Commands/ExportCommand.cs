using System.CommandLine;
using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Commands;

/// <summary>
/// <c>fewshot export</c>: writes a run as a deployable bundle, with its measured accuracy in the manifest; or, with
/// <c>--upgrade</c>, rewrites an older bundle in the current format (θ₀ stored once; see Format/README.md).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var run = new Option<string>("--run") { Description = "Run folder written by fewshot train" };
        var upgrade = new Option<string>("--upgrade") { Description = $"A format-1 bundle to rewrite as format {BundleNames.FormatVersion} (instead of --run)" };
        var outFile = new Option<string>("--out") { Description = "Bundle file to write (.fewshot)", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Steps of the unrolled adapt graph (default: the run's evaluation steps)" };
        var episodes = new Option<int>("--episodes") { Description = "Test episodes to measure accuracy for the manifest (0: none)", DefaultValueFactory = _ => 100 };
        var command = new Command("export", "Write a trained run as a bundle: ONNX adapt and predict graphs plus a manifest.") { run, upgrade, outFile, steps, episodes };
        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            if (parse.GetValue(upgrade) is { } old)
            {
                var upgraded = parse.GetValue(outFile)!;
                var newHash = BundleUpgrade.Upgrade(old, upgraded);
                output.WriteLine($"Wrote {upgraded} (format {BundleNames.FormatVersion}, model {newHash[..12]}; {new FileInfo(old).Length:N0} → {new FileInfo(upgraded).Length:N0} bytes)");
                return 0;
            }

            var folder = parse.GetValue(run) ?? throw new ArgumentException($"give --run (a run folder to export) or --upgrade (a bundle to rewrite as format {BundleNames.FormatVersion})");
            var configuration = RunConfiguration.Load(folder);
            var data = RunData.Load(configuration);
            var algorithm = AlgorithmFactory.Create(configuration, data);
            var checkpoint = Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), algorithm.MetaParameters);
            var unrolled = parse.GetValue(steps) ?? Math.Max(1, configuration.DefaultEvaluationSteps);
            var count = parse.GetValue(episodes);
            var measured = count > 0
                ? Evaluator.Evaluate(algorithm, checkpoint.Parameters, data.Test, count, configuration.DefaultEvaluationSteps, configuration.Seed,
                    new GraphSessionOptions { IntraOpThreads = Environment.ProcessorCount }, cancellationToken: cancellationToken)
                : null;
            var path = parse.GetValue(outFile)!;
            var hash = BundleExport.Write(path, algorithm, checkpoint.Parameters, configuration, checkpoint.Iteration, unrolled, measured);
            output.WriteLine($"Wrote {path} (model {hash[..12]}, {configuration.Algorithm}, {checkpoint.Iteration} iterations{(measured is null ? "" : $", measured {(measured.IsAccuracy ? "accuracy" : "MSE")} {measured.Metric}")})");
            return 0;
        }));
        return command;
    }
}
