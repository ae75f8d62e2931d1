using System.CommandLine;
using FewShot.Bundles;
using FewShot.Runtime;
using FewShot.Runtime.Bundles;

namespace FewShot.Cli.Commands;

/// <summary>The options by which adapt and predict open a bundle and read examples, defined once.</summary>
internal sealed class BundleInputs
{
    private const string NoGraphCache = "none";

    private readonly Option<string> _model = new("--model") { Description = "Bundle file (.fewshot)", Required = true };
    private readonly Option<string> _strokes = Strokes();
    private readonly Option<bool> _invert = new("--invert")
    {
        Description = "The old spelling for images, kept for scripts: flip their gray levels (with an Omniglot bundle, --strokes dark); on .npz inputs, use 1 − v for every value",
    };
    private readonly Option<int> _threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: its choice)", DefaultValueFactory = _ => Environment.ProcessorCount }.AtLeast(0);
    private readonly Option<string> _graphCache = new("--graph-cache")
    {
        Description = $"Folder of ONNX Runtime's optimized graphs, which later runs on this machine reuse instead of optimizing again ('{NoGraphCache}' for none)",
        DefaultValueFactory = _ => RuntimeOptions.DefaultGraphCacheDirectory() ?? NoGraphCache,
    };

    /// <summary>The queries to predict, as adapt and predict take them.</summary>
    public static Option<string> Queries() =>
        new("--query") { Description = "Queries: a folder (of class folders, to report accuracy, or of PNG/JPEG images), one PNG/JPEG image, or .npz with x (and y)", Required = true };

    /// <summary>Adds the bundle options to <paramref name="command"/>, then <paramref name="commandOptions"/>, in that order for its help.</summary>
    public BundleInputs(Command command, params Option[] commandOptions)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (Option option in (Option[])[_model, _strokes, _invert, _threads, _graphCache, .. commandOptions])
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
    /// <exception cref="ArgumentException">--strokes contradicts --invert, or names a tone for a bundle that does not describe its preprocessing or whose inputs are not drawings.</exception>
    public ExampleSet Examples(ParseResult parse, FewShotModel bundle, string path)
    {
        var input = bundle.Manifest.Input;
        var strokes = parse.GetValue(_strokes) switch
        {
            "dark" => StrokeTone.Dark,
            "bright" => StrokeTone.Bright,
            _ => StrokeTone.Auto,
        };
        var invert = parse.GetValue(_invert);
        if (parse.GetResult(_strokes) is { Implicit: false })
        {
            if (input.Preprocessing is null && strokes != StrokeTone.Auto)
            {
                throw new ArgumentException($"--strokes {parse.GetValue(_strokes)}: this bundle does not say how images become its input (input.preprocessing is null), "
                    + "so images are read as gray levels (1.0 = white) and their strokes' tone means nothing to it; leave --strokes out, and pass --invert to flip the levels");
            }

            // Such a bundle (trained on class folders' images) takes images as they are: before, --strokes bright turned every
            // image's levels round without a word (a folder bundle's three queries all became one class).
            if (input.Preprocessing is { Bright: not BrightPart.Strokes } && strokes != StrokeTone.Auto)
            {
                throw new ArgumentException($"--strokes {parse.GetValue(_strokes)}: this bundle takes images as they are (input.preprocessing.bright = background: "
                    + "trained on class folders' images), not drawings whose strokes could be dark or bright; leave --strokes out, and pass --invert to flip the levels");
            }

            if (invert && strokes != ExampleSet.InvertedTone(input))
            {
                throw new ArgumentException($"--invert and --strokes {parse.GetValue(_strokes)} contradict each other: for this bundle --invert is the old spelling of "
                    + $"--strokes {ExampleSet.InvertedTone(input).ToString().ToLowerInvariant()}; leave --invert out");
            }
        }

        return ExampleSet.Load(path, input, strokes, invert);
    }

    private static Option<string> Strokes()
    {
        var strokes = new Option<string>("--strokes")
        {
            Description = "Which pixels of the images are the strokes: auto (each image decides: the paper is most of it), dark (dark ink on light paper) "
                + "or bright (light strokes on a dark background); for bundles whose input is drawings (input.preprocessing.bright = strokes); refused for other bundles, whose images are taken as they are, and for .npz inputs, arrays taken as given",
            DefaultValueFactory = _ => "auto",
        };
        strokes.AcceptOnlyFromAmong("auto", "dark", "bright");
        return strokes;
    }
}
