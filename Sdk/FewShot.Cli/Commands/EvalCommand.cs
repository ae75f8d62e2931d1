using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using Spectre.Console;

namespace FewShot.Cli.Commands;

/// <summary><c>fewshot eval</c>: few-shot accuracy (or error) of a run on test classes never seen in training, with a 95% CI.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var dataset = new Option<string?>("--dataset") { Description = "omniglot, fashion-mnist, sinusoid, folder or npz (default: the run's)" };
        var data = RunOptions.Data();
        var split = new Option<string?>("--split") { Description = "lake or paper (default: the run's)" };
        var ways = new Option<int?>("--ways") { Description = "Classes per test task (default: the run's)" }.AtLeast(1);
        var shots = new Option<int?>("--shots") { Description = "Support examples per class (default: the run's)" }.AtLeast(1);
        var queries = new Option<int?>("--queries") { Description = "Query examples per class in each test episode (default: the run's; for a bundle, 15 or as many as its data's smallest class holds after the shots)" }.AtLeast(1);
        var episodes = new Option<int>("--episodes") { Description = "Test episodes", DefaultValueFactory = _ => 600 }.AtLeast(1);
        var innerSteps = RunOptions.InnerSteps();
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: its choice)", DefaultValueFactory = _ => Environment.ProcessorCount }.AtLeast(0);
        var json = RunOptions.Json();
        var singleQueries = new Option<bool>("--single-queries")
        {
            Description = "Classify every query alone, as an app classifying one image at a time does: through FewShot.Runtime on the exported bundle, on the same episodes",
        };
        var runtime = new Option<bool>("--runtime")
        {
            Description = "Evaluate through FewShot.Runtime on the exported bundle, each episode's queries as one batch (as model cards report); --single-queries implies it",
        };
        var withinAlphabet = new Option<bool>("--within-alphabet")
        {
            Description = "Also evaluate episodes whose classes all come from one alphabet of Omniglot's evaluation set (Lake et al.'s one-shot protocol; lake split), reported beside the usual episodes",
        };
        var command = new Command("eval", "Evaluate a run or a bundle on test classes: mean over episodes with a 95% confidence interval.")
        {
            dataset, data, split, ways, shots, queries, episodes, innerSteps, threads, json, singleQueries, runtime, withinAlphabet,
        };
        var run = new RunFolderInput(command, "Run folder written by fewshot train, or a .fewshot bundle (measured through FewShot.Runtime on the test classes of the data its manifest names)");
        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            var folder = run.Require(parse);
            if (File.Exists(folder))
            {
                return EvaluateBundle(folder);
            }

            if (!Directory.Exists(folder))
            {
                throw new ArgumentException($"'{folder}' does not exist: give a run folder written by fewshot train, or a .fewshot bundle");
            }

            var trained = RunConfiguration.Load(folder);
            var configuration = trained with
            {
                Dataset = parse.GetValue(dataset) ?? trained.Dataset,
                DataPath = parse.GetValue(data) is { } path ? Path.GetFullPath(path) : trained.DataPath,
                Split = parse.GetValue(split) ?? trained.Split,
                Queries = parse.GetValue(queries) ?? trained.Queries,

                // Held out of the run's own data; another dataset has classes of its own (the test classes do not depend on it).
                ValidationClasses = (parse.GetValue(dataset) ?? trained.Dataset) == trained.Dataset ? trained.ValidationClasses : 0,
                // The run's root/val, where the data given has one (a run that read none reads none, as it trained).
                ValidationFolder = trained.ValidationFolder is null || (parse.GetValue(dataset) ?? trained.Dataset) != "folder" ? null
                    : parse.GetValue(data) is { } other ? ImageFolder.ValidationFolder(Path.GetFullPath(other)) : trained.ValidationFolder,
            };
            if (RunResume.DataChange(trained, configuration, DataFingerprint.Of(configuration)) is { } changed)
            {
                // A note, not a refusal: evaluating on other data is what eval is for (--dataset, --data), but with the
                // run's dataset name it may not be meant, and a seeded class split of other classes can put classes the
                // run trained on among the test classes.
                error.WriteLine($"note: {changed}; the results are on that data, and its test classes may include classes the run trained on");
            }

            var testWays = parse.GetValue(ways) ?? trained.Ways;
            var testShots = parse.GetValue(shots) ?? trained.Shots;
            var (runData, alphabets) = RunData.Load(configuration, testWays, testShots, parse.GetValue(withinAlphabet));
            var algorithm = AlgorithmFactory.Create(configuration with { TrainWays = testWays, Ways = testWays }, runData, testWays);
            if (testWays != trained.Ways && HeadSizedByWays(AlgorithmFactory.Create(configuration, runData, trained.Ways), algorithm) is { } head)
            {
                throw new ArgumentException($"{configuration.Algorithm}'s '{head}' was trained for {trained.Ways}-way tasks (the run's --ways), so this run evaluates "
                    + $"{trained.Ways}-way tasks, not {testWays}-way: omit --ways, or train a run with --ways {testWays} (a learner without a head, as protonet, takes any)");
            }

            var parameters = Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), algorithm.MetaParameters).Parameters;
            if (parse.GetValue(innerSteps) is { } givenSteps && configuration.DefaultEvaluationSteps == 0)
            {
                // Such learners adapt in one pass; the header would otherwise report steps that never ran.
                throw new ArgumentException($"--inner-steps {givenSteps} has no effect: {configuration.Algorithm} adapts without gradient steps; leave --inner-steps out");
            }

            var steps = parse.GetValue(innerSteps) ?? configuration.DefaultEvaluationSteps;
            var session = new GraphSessionOptions { IntraOpThreads = parse.GetValue(threads) };
            var count = parse.GetValue(episodes);
            var seed = configuration.Seed;
            var alone = parse.GetValue(singleQueries);
            var throughRuntime = alone || parse.GetValue(runtime);
            if (alone && algorithm.Task != TaskKind.Classification)
            {
                throw new ArgumentException($"--single-queries applies to classification; {configuration.Algorithm} on {configuration.Dataset} is not");
            }

            // One exported bundle serves every evaluation through the Runtime (the usual episodes and the within-alphabet ones).
            using var bundle = throughRuntime ? TemporaryBundle.Export(algorithm, parameters, configuration, steps) : null;
            EvaluationResult Evaluate(ITaskSource tasks) => bundle is not null
                ? BundleEvaluator.Evaluate(bundle.Path, algorithm.Task, tasks, count, steps == 0 ? null : steps, seed, alone, parse.GetValue(threads), cancellationToken)
                : Evaluator.Evaluate(algorithm, parameters, tasks, count, steps, seed, session, cancellationToken: cancellationToken);
            var result = Evaluate(runData.Test);
            var latent = algorithm is MetaAutoencoder autoencoder
                ? Evaluator.EvaluateLatentClassification(autoencoder, parameters, runData.Test, count, steps, seed, session, cancellationToken: cancellationToken)
                : null;
            // A learned optimizer is reported beside SGD from the same θ₀ and steps, its step tuned on the training classes;
            // MANN with its sequence accuracy by instance, as Santoro et al. report it.
            var sgd = algorithm is LearnedOptimizer learned
                ? TunedSgdBaseline.Evaluate(learned, parameters, runData.Validation ?? runData.Train, Math.Min(count, 200), runData.Test, count, steps, seed, session, cancellationToken)
                : ((float, EvaluationResult)?)null;
            // The parameter generator beside the same autoencoder with nothing generated: what adapting to the support set adds.
            var ungenerated = algorithm is AutoencoderGenerator generator
                ? Evaluator.Evaluate(generator, generator.WithoutGeneration(parameters), runData.Test, count, steps, seed, session, cancellationToken: cancellationToken)
                : null;
            var instances = algorithm is Mann mann ? InstanceAccuracy(mann, parameters, runData, count, seed) : null;
            var within = alphabets is null ? null : Evaluate(alphabets);
            Report(output, parse.GetValue(json), configuration, BundleExport.FeatureNormalizationOf(algorithm.Model), testWays, testShots, result, latent, alone, throughRuntime, sgd, instances, within, ungenerated);
            return 0;

            // A bundle without its run folder (a shipped model): through FewShot.Runtime, on the data its manifest names.
            int EvaluateBundle(string bundle)
            {
                // One load serves the usual episodes and the within-alphabet ones.
                using var model = FewShotModel.Load(bundle, new RuntimeOptions { IntraOpThreads = parse.GetValue(threads) });
                var target = BundleEvaluation.Describe(bundle, model.Manifest, parse.GetValue(dataset), parse.GetValue(data), parse.GetValue(split), parse.GetValue(ways), parse.GetValue(shots), parse.GetValue(queries), parse.GetValue(innerSteps));
                if (target.QueriesNote is { } note)
                {
                    error.WriteLine(note);
                }

                var alone = parse.GetValue(singleQueries);
                if (alone && target.Kind != TaskKind.Classification)
                {
                    throw new ArgumentException($"--single-queries applies to classification; this bundle's {target.Configuration.Algorithm} is not");
                }

                var (bundleData, bundleAlphabets) = RunData.Load(target.Configuration, target.Ways, target.Shots, parse.GetValue(withinAlphabet));
                EvaluationResult Evaluate(ITaskSource tasks) => BundleEvaluator.Evaluate(
                    model, target.Kind, tasks, parse.GetValue(episodes), parse.GetValue(innerSteps), target.Configuration.Seed, alone, cancellationToken);
                Report(output, parse.GetValue(json), target.Configuration, target.Normalization, target.Ways, target.Shots, Evaluate(bundleData.Test), null, alone, true,
                    null, null, bundleAlphabets is null ? null : Evaluate(bundleAlphabets), null);
                return 0;
            }
        }));
        return command;
    }

    /// <summary>The first parameter whose shape differs between the trained learner and the one for the test ways (a head with an output per class), or null.</summary>
    private static string? HeadSizedByWays(MetaAlgorithm trained, MetaAlgorithm test) =>
        trained.MetaParameters.Zip(test.MetaParameters).FirstOrDefault(p => !p.First.Shape.SequenceEqual(p.Second.Shape)).First?.Name;

    /// <summary>The run exported to a bundle in the temporary folder, deleted on dispose.</summary>
    private sealed class TemporaryBundle : IDisposable
    {
        private TemporaryBundle(string path) => Path = path;

        public string Path { get; }

        public static TemporaryBundle Export(MetaAlgorithm algorithm, float[][] parameters, RunConfiguration configuration, int steps)
        {
            var bundle = new TemporaryBundle(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fewshot-eval-{Guid.NewGuid():N}.fewshot"));
            BundleExport.Write(bundle.Path, algorithm, parameters, configuration, iterations: 0, steps: Math.Max(1, steps), measured: null);
            return bundle;
        }

        public void Dispose() => File.Delete(Path);
    }

    private static double[] InstanceAccuracy(Mann mann, float[][] parameters, RunData runData, int episodes, int seed)
    {
        TorchSetup.Initialize(0);
        return new TorchMann(mann).InstanceAccuracy(parameters, runData.Test, episodes, seed);
    }

    private static void Report(TextWriter output, bool json, RunConfiguration run, string normalization, int ways, int shots, EvaluationResult result, EvaluationResult? latent, bool singleQueries, bool throughRuntime,
        (float Step, EvaluationResult Result)? sgd, double[]? instances, EvaluationResult? within, EvaluationResult? ungenerated)
    {
        var accuracy = result.IsAccuracy ? result.Metric : latent?.Metric;
        var error = result.IsAccuracy ? (ConfidenceInterval?)null : result.Metric;
        if (json)
        {
            var node = JsonSerializer.SerializeToNode(new
            {
                algorithm = run.Algorithm,
                dataset = run.Dataset,
                // Only Omniglot has splits; "none" as the bundle manifest's provenance says, not the lake default.
                split = run.HasSplit ? run.Split : "none",
                // Sinusoid regression has no classes to count.
                ways = run.HasClasses ? ways : (int?)null,
                shots,
                queriesPerClass = run.Queries,
                steps = result.Steps,
                episodes = result.Episodes,
                accuracy = accuracy?.Mean,
                ci95 = accuracy?.HalfWidth95 ?? error?.HalfWidth95,
                mse = error?.Mean,
                mseCi95 = error?.HalfWidth95,
                normalization,
                queries = singleQueries ? "single" : "batch",
                engine = throughRuntime ? "runtime" : "graphs",
                sgdStep = sgd?.Step,
                sgdAccuracy = sgd?.Result.Metric.Mean,
                sgdCi95 = sgd?.Result.Metric.HalfWidth95,
                accuracyByInstance = instances,
                mseWithoutGeneration = ungenerated?.Metric.Mean,
                mseWithoutGenerationCi95 = ungenerated?.Metric.HalfWidth95,
            })!;
            if (within is not null)
            {
                // Lake et al.'s protocol, beside the usual episodes: every class of an episode from one alphabet.
                node["withinAlphabet"] = new JsonObject
                {
                    ["accuracy"] = within.Metric.Mean,
                    ["ci95"] = within.Metric.HalfWidth95,
                    ["episodes"] = within.Episodes,
                };
            }

            output.WriteLine(node.ToJsonString());
            return;
        }

        output.WriteLine($"{run.Algorithm} on {run.Dataset}{(run.HasSplit ? $" ({run.Split})" : "")}, "
            + (!run.HasClasses ? $"{shots}-shot, {run.Queries} queries, " : $"{ways}-way {shots}-shot, {run.Queries} queries per class, ")
            + $"{result.Steps} step{(result.Steps == 1 ? "" : "s")}, {result.Episodes} episodes, "
            + $"{(normalization == FeatureNormalizationNames.None ? "no normalization layers" : $"{normalization} normalization")}, {(singleQueries ? "each query alone" : "each episode's queries as one batch")}{(throughRuntime ? " (FewShot.Runtime)" : "")}");
        var table = new Table()
            .AddColumn("metric")
            .AddColumn(new TableColumn("mean").RightAligned())
            .AddColumn(new TableColumn("± 95% CI").RightAligned())
            .AddColumn(new TableColumn("episodes").RightAligned());
        var inv = CultureInfo.InvariantCulture;
        if (accuracy is { } a)
        {
            table.AddRow("accuracy", string.Create(inv, $"{a.Mean * 100:F2}%"), string.Create(inv, $"{a.HalfWidth95 * 100:F2}%"), $"{a.Count}");
        }

        if (within?.Metric is { } w)
        {
            table.AddRow("accuracy, within one alphabet", string.Create(inv, $"{w.Mean * 100:F2}%"), string.Create(inv, $"{w.HalfWidth95 * 100:F2}%"), $"{w.Count}");
        }

        if (sgd is { } baseline)
        {
            var b = baseline.Result.Metric;
            table.AddRow(string.Create(inv, $"accuracy, SGD (tuned step {baseline.Step})"), string.Create(inv, $"{b.Mean * 100:F2}%"), string.Create(inv, $"{b.HalfWidth95 * 100:F2}%"), $"{b.Count}");
        }

        foreach (var k in new[] { 1, 2, 3, 5, 10 }.Where(k => k <= (instances?.Length ?? 0)))
        {
            table.AddRow(string.Create(inv, $"sequence accuracy, instance {k}"), string.Create(inv, $"{instances![k - 1] * 100:F2}%"), "", $"{result.Episodes}");
        }

        if (error is { } e)
        {
            table.AddRow("mse", string.Create(inv, $"{e.Mean:F4}"), string.Create(inv, $"{e.HalfWidth95:F4}"), $"{e.Count}");
        }

        if (ungenerated?.Metric is { } u)
        {
            table.AddRow("mse, nothing generated", string.Create(inv, $"{u.Mean:F4}"), string.Create(inv, $"{u.HalfWidth95:F4}"), $"{u.Count}");
        }

        TerminalOutput.For(output).Write(table);
    }
}
