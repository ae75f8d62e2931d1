using System.Globalization;
using FewShot.Runtime.Bundles;
using FewShot.Samples.EdgeAdapter.Images;
using FewShot.Runtime;

namespace FewShot.Samples.EdgeAdapter;

/// <summary>
/// The <c>fewshot-edge</c> command: learns new classes from a few PGM images on the device, keeps the adapted state
/// in a file across restarts, and classifies new images with it. The only class of the sample that prints.
/// </summary>
public static class Program
{
    /// <summary>Exit code of a run that failed on its input (files, images, state, bundle).</summary>
    public const int Failed = 1;

    /// <summary>Exit code of a run whose command line is wrong.</summary>
    public const int Usage = 2;

    private const string Help = """
        usage:
          fewshot-edge learn    --model <bundle.fewshot> --support <folder> --state <file> [--strokes auto|dark|bright] [--threads N] [--graph-cache <folder>]
          fewshot-edge classify --model <bundle.fewshot> --state <file> [--strokes auto|dark|bright] [--threads N] [--graph-cache <folder>] <image.pgm>...

        learn     adapts the bundle to <folder>/<class>/*.pgm (one sub-folder per class) and saves the adapted state
        classify  prints the label and probability of each image, using a state saved by learn
        images    8-bit binary PGM (P5, maxval 255) of any size, resized to the bundle's input by area averaging
        --strokes auto (the default): each image decides, its paper being most of it; dark: dark strokes on light paper,
                  as Omniglot; bright: light strokes on a dark background
        --graph-cache  a folder for ONNX Runtime's optimized graphs, so that later starts on this device skip optimizing them
        """;

    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs a command, writing results to <paramref name="output"/> and problems to <paramref name="error"/>.</summary>
    /// <returns>0 on success, <see cref="Failed"/> or <see cref="Usage"/> otherwise.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Count == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Help);
            return args.Count == 0 ? Usage : 0;
        }

        CommandLineArguments command;
        StrokeTone strokes;
        RuntimeOptions runtimeOptions;
        try
        {
            command = CommandLineArguments.Parse(args);
            Validate(command);
            strokes = Strokes(command);
            // One adaptation or one prediction per process: a warm-up at Load would only add its work to every start.
            runtimeOptions = new RuntimeOptions { IntraOpThreads = Threads(command), WarmUp = false, GraphCacheDirectory = command.Optional("graph-cache") };
        }
        catch (CommandLineException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine(Help);
            return Usage;
        }

        try
        {
            return command.Command == "learn"
                ? await LearnAsync(command, strokes, runtimeOptions, output, cancellationToken).ConfigureAwait(false)
                : await ClassifyAsync(command, strokes, runtimeOptions, output, error, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidAdaptedStateException e)
        {
            error.WriteLine($"error: the adapted state '{command.Optional("state")}' cannot be used: {e.Message} Run 'learn' again with this bundle.");
            return Failed;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException or UnauthorizedAccessException
            or GraphRunException or NonFiniteResultException or ExecutionDeviceException or InvalidBundleException)
        {
            error.WriteLine($"error: {MessageOf(e)}");
            return Failed;
        }
    }

    private static async Task<int> LearnAsync(CommandLineArguments command, StrokeTone strokes, RuntimeOptions runtimeOptions, TextWriter output, CancellationToken cancellationToken)
    {
        string statePath = command.Required("state");
        string supportRoot = command.Required("support");
        using FewShotModel model = FewShotModel.Load(command.Required("model"), runtimeOptions);
        AdaptedModel adapted = await Learner.LearnAsync(model, supportRoot, statePath, strokes, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"learned {Counted.Of(adapted.Labels.Count, "class", "classes")} ({string.Join(", ", adapted.Labels)}) from '{supportRoot}' with {model}");
        output.WriteLine($"state saved to '{statePath}'");
        return 0;
    }

    private static async Task<int> ClassifyAsync(CommandLineArguments command, StrokeTone strokes, RuntimeOptions runtimeOptions, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string statePath = command.Required("state");
        // Classifying needs predict.onnx alone: the adaptation graphs' sessions would only cost time and memory.
        runtimeOptions.PredictionOnly = true;
        using FewShotModel model = FewShotModel.Load(command.Required("model"), runtimeOptions);
        if (model.Manifest.PredictionsDependOnBatch)
        {
            error.WriteLine("note: this bundle normalizes with the statistics of the images classified together (transductive batch norm), "
                + "so an image's answer depends on the others, and one image alone is often misclassified; classify several images at once, "
                + "or use a bundle trained with fewshot train's default normalization (support statistics for the MAML family, instance norm for the others), with which an image's answer is its own.");
        }

        IReadOnlyList<Prediction> predictions = await Classifier.ClassifyAsync(model, statePath, command.Positionals, strokes, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < predictions.Count; i++)
        {
            Prediction prediction = predictions[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{command.Positionals[i]}\t{prediction.Label}\t{prediction.Probabilities[prediction.ClassIndex]:F3}"));
        }

        return 0;
    }

    private static void Validate(CommandLineArguments command)
    {
        bool learn = command.Command switch
        {
            "learn" => true,
            "classify" => false,
            _ => throw new CommandLineException($"Unknown command '{command.Command}'; expected 'learn' or 'classify'."),
        };
        command.RequireOnly(learn ? ["model", "support", "state", "strokes", "threads", "graph-cache"] : ["model", "state", "strokes", "threads", "graph-cache"]);
        foreach (string name in learn ? ["model", "support", "state"] : new[] { "model", "state" })
        {
            command.Required(name);
        }

        if (!learn && command.Positionals.Count == 0)
        {
            throw new CommandLineException("'classify' needs at least one image (.pgm) after its options.");
        }

        if (learn && command.Positionals.Count > 0)
        {
            throw new CommandLineException($"'learn' takes no arguments besides its options, but '{command.Positionals[0]}' was given.");
        }
    }

    // ArgumentException.Message ends with " (Parameter 'name')", which names a C# parameter the user never sees.
    private static string MessageOf(Exception exception) =>
        exception is ArgumentException { ParamName: { } name } && exception.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? exception.Message[..^$" (Parameter '{name}')".Length]
            : exception.Message;

    private static int Threads(CommandLineArguments command)
    {
        string? threads = command.Optional("threads");
        if (threads is null)
        {
            return 0;
        }

        return int.TryParse(threads, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1
            ? count
            : throw new CommandLineException($"Option --threads must be a whole number of at least 1, not '{threads}'.");
    }

    private static StrokeTone Strokes(CommandLineArguments command) => command.Optional("strokes") switch
    {
        null or "auto" => StrokeTone.Auto,
        "dark" => StrokeTone.Dark,
        "bright" => StrokeTone.Bright,
        string other => throw new CommandLineException($"Option --strokes must be 'auto', 'dark' or 'bright', not '{other}'."),
    };
}
