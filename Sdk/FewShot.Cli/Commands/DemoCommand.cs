using System.CommandLine;
using System.Globalization;
using FewShot.Cli.Training;
using FewShot.Runtime;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Cli.Commands;

/// <summary>
/// <c>fewshot demo</c>: the embedded first run, needing no data files: meta-train MAML on sinusoid regression,
/// then show how much adapting to a new sinusoid from a few points helps.
/// </summary>
internal static class DemoCommand
{
    // The demo's evaluation, which the `fewshot eval` it suggests repeats: points per new sinusoid, inner steps shown, sinusoids.
    private const int Points = 10;
    private const int Episodes = 200;
    private static readonly int[] StepsShown = [0, 1, 10];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var iterations = new Option<int>("--iterations") { Description = "Meta-iterations", DefaultValueFactory = _ => 15000 }.AtLeast(1);
        var outFolder = new Option<string>("--out") { Description = "Run folder", DefaultValueFactory = _ => Path.Combine("runs", "demo-sinusoid-maml") };
        var command = new Command("demo", $"Meta-train MAML on sinusoid regression (no downloads) and show adaptation from {Points} points.") { iterations, outFolder };
        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            var folder = parse.GetValue(outFolder)!;
            var configuration = new RunConfiguration
            {
                Algorithm = "maml", Dataset = "sinusoid", Shots = Points, Queries = 10, InnerSteps = 1, InnerLearningRate = 0.01f,
                MetaBatch = 8, MetaLearningRate = 1e-3, Iterations = parse.GetValue(iterations), Seed = 0,
            };
            var data = RunData.Load(configuration);
            var algorithm = AlgorithmFactory.Create(configuration, data);
            var session = new GraphSessionOptions { IntraOpThreads = Environment.ProcessorCount };
            output.WriteLine($"FewShot demo: MAML (second order) on sinusoid regression, meta-trained on TorchSharp (libtorch {TorchSetup.LibTorchVersion}, 1 thread), adapted on ONNX Runtime {FewShot.Runtime.OnnxRuntimeEnvironment.EnsureCreated().GetVersionString()} ({Environment.ProcessorCount} threads)");
            var trainer = new TorchMetaTrainer(algorithm, data.Train, new MetaTrainerOptions
            {
                Iterations = configuration.Iterations, MetaBatch = configuration.MetaBatch, MetaLearningRate = configuration.MetaLearningRate, Session = session,
            }) { Threads = 1, Run = configuration }; // a 1-40-40-1 MLP's operations are too small to split: 845 iterations/s on 1 thread, 529 on 2
            var status = new TrainingStatus(new TrainingStop(configuration.Iterations, null), "mse");
            var result = ProgressDisplay.Run(output, TerminalOutput.IsTerminal(output), status, progress => trainer.Train(folder, progress, cancellationToken));

            var inv = CultureInfo.InvariantCulture;
            output.WriteLine($"Adapting to {Episodes} new sinusoids from {Points} points each (query MSE, 95% CI):");
            foreach (var steps in StepsShown)
            {
                // The run's seed, as fewshot eval draws its episodes, so that the suggested command repeats these figures.
                var evaluation = Evaluator.Evaluate(algorithm, result.Parameters, data.Test, Episodes, steps, configuration.Seed, session, cancellationToken: cancellationToken);
                output.WriteLine(string.Create(inv, $"  {steps,2} step{(steps == 1 ? "" : "s")}: {evaluation.Metric.Mean:F3} ± {evaluation.Metric.HalfWidth95:F3}"));
            }

            output.WriteLine($"Run folder: {folder} (fewshot eval {folder} --shots {Points} --inner-steps {StepsShown[^1]} --episodes {Episodes})");
            return 0;
        }));
        return command;
    }
}
