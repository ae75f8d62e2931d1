using System.CommandLine;
using FewShot.Bundles;
using FewShot.Cli.Plotting;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Commands;

/// <summary><c>fewshot plot</c>: draws a run's learning curves from its metrics.jsonl into a PNG.</summary>
internal static class PlotCommand
{
    /// <summary>The file written into the run folder when --out is not given.</summary>
    public const string DefaultFileName = "curves.png";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var outFile = new Option<string?>("--out") { Description = $"PNG file to write (default: {DefaultFileName} in the run folder)" };
        var command = new Command("plot", "Draw a run's learning curves (training loss and metric, validation) into a PNG.") { outFile };
        var run = new RunFolderInput(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            var folder = run.Require(parse);
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"run folder '{folder}' does not exist");
            }

            var history = MetricsHistory.Read(Path.Combine(folder, MetricsHistory.FileName));
            var (title, metricName) = Describe(folder);
            var png = LearningCurvePlot.Render(history, title, metricName);
            var path = parse.GetValue(outFile) ?? Path.Combine(folder, DefaultFileName);
            if (Path.GetExtension(path) is { Length: > 0 } extension && !extension.Equals(".png", StringComparison.OrdinalIgnoreCase))
            {
                // The bytes are PNG whatever the name says; a viewer going by the extension would fail on them.
                throw new ArgumentException($"--out '{path}' ends in '{extension}', but the plot is written as PNG: name a .png file");
            }

            AtomicFile.WriteAllBytes(path, png);
            output.WriteLine($"Wrote {path} ({history.Training.Count} iterations, {history.Validation.Count} validations)");
            return 0;
        }));
        return command;
    }

    /// <summary>The run's description and metric name from run.json; a folder without one still plots, with a generic label.</summary>
    private static (string Title, string MetricName) Describe(string folder)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        if (!File.Exists(Path.Combine(folder, RunConfiguration.FileName)))
        {
            return (name, "metric");
        }

        var run = RunConfiguration.Load(folder);
        var regression = run.Dataset == "sinusoid" || run.Algorithm is "autoencoder" or "ae-generator";
        var task = run.Dataset == "sinusoid" ? $"{run.Shots}-shot" : $"{run.Ways}-way {run.Shots}-shot";
        return ($"{name}: {run.Algorithm} on {run.Dataset}, {task}", regression ? "mse" : "accuracy");
    }
}
