using System.CommandLine;
using FewShot.Runtime;
using FewShot.Runtime.Bundles;

namespace FewShot.Cli.Commands;

/// <summary>The options by which adapt and predict open a bundle and read examples, defined once.</summary>
internal sealed class BundleInputs
{
    private const string NoGraphCache = "none";

    private readonly Option<string> _model = new("--model") { Description = "Bundle file (.fewshot)", Required = true };
    private readonly Option<bool> _invert = new("--invert") { Description = "Use 1 − value for every input (dark-on-light images with an Omniglot bundle, whose strokes are 1.0)" };
    private readonly Option<int> _threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: its choice)", DefaultValueFactory = _ => Environment.ProcessorCount }.AtLeast(0);
    private readonly Option<string> _graphCache = new("--graph-cache")
    {
        Description = $"Folder of ONNX Runtime's optimized graphs, which later runs on this machine reuse instead of optimizing again ('{NoGraphCache}' for none)",
        DefaultValueFactory = _ => RuntimeOptions.DefaultGraphCacheDirectory() ?? NoGraphCache,
    };

    /// <summary>The queries to predict, as adapt and predict take them.</summary>
    public static Option<string> Queries() =>
        new("--query") { Description = "Queries: a folder (of class folders, to report accuracy, or of PNG/JPEG images), or .npz with x (and y)", Required = true };

    /// <summary>Adds the bundle options to <paramref name="command"/>, then <paramref name="commandOptions"/>, in that order for its help.</summary>
    public BundleInputs(Command command, params Option[] commandOptions)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (Option option in (Option[])[_model, _invert, _threads, _graphCache, .. commandOptions])
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The bundle file given.</summary>
    public string ModelPath(ParseResult parse) => parse.GetValue(_model)!;

    /// <summary>
    /// Loads the bundle for one job per process: no warm-up at Load, which would only add its work to the start; with
    /// <paramref name="predictionOnly"/>, the prediction graph alone (<see cref="RuntimeOptions.PredictionOnly"/>).
    /// </summary>
    public FewShotModel Load(ParseResult parse, bool predictionOnly)
    {
        // A blank --graph-cache is refused at parsing, as every empty value is (FewShotCommandLine).
        var cache = parse.GetValue(_graphCache)!;
        return FewShotModel.Load(ModelPath(parse), new RuntimeOptions
        {
            IntraOpThreads = parse.GetValue(_threads),
            WarmUp = false,
            GraphCacheDirectory = cache == NoGraphCache ? null : cache,
            PredictionOnly = predictionOnly,
        });
    }

    /// <summary>The examples at <paramref name="path"/> in the bundle's input shape (<see cref="ExampleSet.Load"/>).</summary>
    public ExampleSet Examples(ParseResult parse, FewShotModel bundle, string path) =>
        ExampleSet.Load(path, bundle.Manifest.Input.Shape, parse.GetValue(_invert));
}
