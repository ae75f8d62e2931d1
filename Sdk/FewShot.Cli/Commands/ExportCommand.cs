using System.CommandLine;
using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Commands;

/// <summary>
/// <c>fewshot export</c>: writes a run as a deployable bundle, with the accuracy FewShot.Runtime measures on that
/// bundle in its manifest; or, with <c>--upgrade</c>, rewrites an older bundle in the current format (θ₀ stored once;
/// see Format/README.md).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var upgrade = new Option<string>("--upgrade") { Description = $"A format-1 bundle to rewrite as format {BundleNames.FormatVersion} (instead of --run)" };
        var outFile = new Option<string>("--out") { Description = "Bundle file to write (.fewshot)", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Steps of the unrolled adapt graph (default: the run's evaluation steps)" }.AtLeast(1)
            .AtMost(RuntimeOptions.DefaultMaxAdaptationSteps, "FewShot.Runtime refuses a bundle with more unless an app raises RuntimeOptions.MaxAdaptationSteps");
        var episodes = new Option<int>("--episodes") { Description = "Test episodes to measure accuracy for the manifest (0: none)", DefaultValueFactory = _ => 100 }.AtLeast(0);
        // The run's data gives the bundle its input shape (and the measured episodes), so a run whose data has moved needs it.
        var data = new Option<string?>("--data") { Description = "Data folder or .npz file, where the run's has moved (default: the run's)" };
        var command = new Command("export", "Write a trained run as a bundle: ONNX adapt and predict graphs plus a manifest.") { upgrade, outFile, steps, episodes, data };
        var run = new RunFolderInput(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            if (parse.GetValue(upgrade) is { } old)
            {
                var upgraded = parse.GetValue(outFile)!;
                var newHash = BundleUpgrade.Upgrade(old, upgraded);
                output.WriteLine($"Wrote {upgraded} (format {BundleNames.FormatVersion}, model {newHash[..12]}; {new FileInfo(old).Length:N0} → {new FileInfo(upgraded).Length:N0} bytes)");
                return 0;
            }

            var folder = run.Find(parse) ?? throw new ArgumentException($"give a run folder to export (fewshot export <run-folder> --out <file>, or --run) or --upgrade (a bundle to rewrite as format {BundleNames.FormatVersion})");
            var trained = RunConfiguration.Load(folder);
            var configuration = parse.GetValue(data) is { } moved ? trained with { DataPath = Path.GetFullPath(moved) } : trained;
            if (RunResume.DataChange(trained, configuration, DataFingerprint.Of(configuration)) is { } changed)
            {
                // The bundle's input shape and its manifest's measured accuracy come from this data, and the manifest names the run's.
                throw new ArgumentException($"{changed}; a bundle exported from it would claim measurements on data the run did not train on. "
                    + "Give --data the run's own data (it may have moved), or train a run on this data");
            }

            var runData = RunData.Load(configuration);
            var algorithm = AlgorithmFactory.Create(configuration, runData);
            var checkpoint = Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), algorithm.MetaParameters);
            var unrolled = parse.GetValue(steps) ?? Math.Max(1, configuration.DefaultEvaluationSteps);
            var count = parse.GetValue(episodes);
            var path = parse.GetValue(outFile)!;
            EvaluationResult? measured = null;
            string hash;
            if (count > 0)
            {
                (hash, measured) = BundleExport.WriteMeasured(path, algorithm, checkpoint.Parameters, configuration, checkpoint.Iteration, unrolled, runData.Test, count,
                    Environment.ProcessorCount, cancellationToken);
            }
            else
            {
                hash = BundleExport.Write(path, algorithm, checkpoint.Parameters, configuration, checkpoint.Iteration, unrolled, measured: null);
            }

            output.WriteLine($"Wrote {path} (model {hash[..12]}, {configuration.Algorithm}, {checkpoint.Iteration} iterations{(measured is null ? "" : $", measured {(measured.IsAccuracy ? "accuracy" : "MSE")} {measured.Metric}")})");
            var testClasses = runData.Test is EpisodeTaskSource { Sampler: EpisodeSampler sampler } ? sampler.Dataset.ClassCount : (int?)null;
            if (count > 0 && algorithm.Task == TaskKind.Reconstruction && testClasses < 2 * configuration.Ways)
            {
                // The bundle is written and sound; only the extra measurement does not fit this dataset (Fashion-MNIST's 5 test classes).
                error.WriteLine($"note: the anomaly AUROC was not measured: it scores the queries of {configuration.Ways} test classes against those of "
                    + $"{configuration.Ways} others, and the test split has {testClasses} classes (fewer than {2 * configuration.Ways})");
            }
            else if (count > 0 && algorithm.Task == TaskKind.Reconstruction)
            {
                // The anomaly detector: adapt to the support of `ways` test classes, score their queries against those of `ways` others.
                var twoGroups = RunData.Load(configuration, ways: 2 * configuration.Ways).Test;
                var auroc = AnomalyEvaluator.Evaluate(path, twoGroups, configuration.Ways, count, configuration.Seed, Environment.ProcessorCount, cancellationToken);
                output.WriteLine($"Anomaly AUROC (the support's {configuration.Ways} {(configuration.Ways == 1 ? "class" : "classes")} normal, {configuration.Ways} other test {(configuration.Ways == 1 ? "class" : "classes")} anomalous): {auroc}");
            }

            return 0;
        }));
        return command;
    }
}
