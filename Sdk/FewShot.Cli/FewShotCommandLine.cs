using System.CommandLine;
using FewShot.Cli.Commands;

namespace FewShot.Cli;

/// <summary>Builds the <c>fewshot</c> command tree. Output goes to the given writers so tests can read it.</summary>
public static class FewShotCommandLine
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Create(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("FewShot: meta-train few-shot models on TorchSharp, export them as ONNX bundles, adapt them on ONNX Runtime.");
        root.Subcommands.Add(InfoCommand.Create(output, error));
        root.Subcommands.Add(TrainCommand.Create(output, error));
        root.Subcommands.Add(EvalCommand.Create(output, error));
        root.Subcommands.Add(PlotCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        root.Subcommands.Add(AdaptCommand.Create(output, error));
        root.Subcommands.Add(PredictCommand.Create(output, error));
        root.Subcommands.Add(DemoCommand.Create(output, error));
        root.Subcommands.Add(BenchCommand.Create(output, error));
        return root;
    }
}
