using FewShot.Sdk.Data;
using FewShot.Sdk.Training;
using FewShot.Sdk.Unsupervised;

namespace FewShot.Sdk.Runs;

/// <summary>The task sources a run trains, validates and tests on, built from its <see cref="RunConfiguration"/>.</summary>
/// <param name="Train">Meta-training tasks (labelled batches for the fine-tuning baseline).</param>
/// <param name="Validation">Validation tasks, when the split has validation classes.</param>
/// <param name="Test">Test tasks, from classes never seen in training.</param>
/// <param name="InputShape">One example's shape.</param>
/// <param name="TrainClassCount">Classes in the training split (the fine-tuning baseline's pre-training head).</param>
public sealed record RunData(ITaskSource Train, ITaskSource? Validation, ITaskSource Test, IReadOnlyList<long> InputShape, int TrainClassCount)
{
    /// <summary>Fine-tuning pre-trains on batches of this many labelled examples.</summary>
    public const int PretrainBatchSize = 64;

    /// <summary>Loads the data a configuration names.</summary>
    /// <param name="configuration">The run.</param>
    /// <param name="ways">Test ways (defaults to the configuration's).</param>
    /// <param name="shots">Test shots (defaults to the configuration's).</param>
    /// <exception cref="ArgumentException">The dataset or split is unknown, the data path is missing, an npz file does not hold fitting arrays (<see cref="LabeledArrays.Load"/>; too few classes for the ways, or examples for the shots and queries), or training blocks are asked for where there are none (not Omniglot, a learner without episodes, a block with fewer classes than the training ways), or validation classes are asked for data other than folder or npz, or too many or too few of them (<see cref="RunConfiguration.ValidationClasses"/>), or a <see cref="RunConfiguration.Color"/> other than gray for data other than folder, or an unknown one.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RunConfiguration.ValidationClasses"/> is negative.</exception>
    public static RunData Load(RunConfiguration configuration, int? ways = null, int? shots = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var (data, _) = Load(configuration, ways, shots, withinAlphabet: false);
        return data;
    }

    /// <summary>
    /// Loads the data a configuration names, and with <paramref name="withinAlphabet"/> also test tasks whose classes all
    /// come from one alphabet of Omniglot's evaluation set (Lake et al.'s one-shot protocol).
    /// </summary>
    /// <returns>The run's data, and the within-alphabet test tasks (null unless asked for).</returns>
    /// <exception cref="ArgumentException">As the other overload; or within-alphabet tasks asked for a dataset other than Omniglot's lake split, or an alphabet has fewer characters than the ways.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As the other overload.</exception>
    public static (RunData Data, ITaskSource? WithinAlphabet) Load(RunConfiguration configuration, int? ways, int? shots, bool withinAlphabet)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var testWays = ways ?? configuration.Ways;
        var testShots = shots ?? configuration.Shots;
        if (withinAlphabet && (configuration.Dataset != "omniglot" || configuration.Split != "lake"))
        {
            throw new ArgumentException($"within-alphabet episodes draw on the alphabets of Omniglot's evaluation set, the lake split's test classes; this run is {configuration.Dataset}{(configuration.Dataset == "omniglot" ? $" ({configuration.Split} split)" : "")}");
        }

        if (configuration.TrainBlock is not null && configuration.Dataset != "omniglot")
        {
            throw new ArgumentException($"training blocks are runs of consecutive Omniglot characters; this run is {configuration.Dataset}");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(configuration.ValidationClasses, nameof(configuration.ValidationClasses));
        if (configuration.ValidationClasses > 0 && configuration.Dataset is not ("folder" or "npz"))
        {
            throw new ArgumentException($"validation classes (--validation-classes {configuration.ValidationClasses}) are held out of the classes of folder and npz data; this run is {configuration.Dataset}"
                + (configuration.Dataset == "omniglot" ? ", whose paper split brings 100 validation classes of its own (--split paper)" : ""));
        }

        if (configuration.ValidationFolder is { } validationFolder && configuration.Dataset != "folder")
        {
            throw new ArgumentException($"validation classes from a '{validationFolder}' folder are read from folder data; this run is {configuration.Dataset}");
        }

        if (configuration.ColorMode != ImageColorMode.Grayscale && configuration.Dataset != "folder")
        {
            throw new ArgumentException($"color {configuration.Color} (--color) is how images from class folders become inputs; this run is {configuration.Dataset}, "
                + configuration.Dataset switch
                {
                    "sinusoid" => "whose examples are points of a sine curve, not images",
                    "npz" => "whose arrays bring their own channels (the shape of 'x')",
                    _ => "whose loader sets the channels itself",
                }
                + ": leave --color out");
        }

        if (configuration.Dataset == "sinusoid")
        {
            return (new RunData(
                new SinusoidTaskSource(configuration.EffectiveTrainShots, configuration.Queries),
                null,
                new SinusoidTaskSource(testShots, configuration.Queries),
                [1],
                0), null);
        }

        var splits = configuration.Dataset switch
        {
            "omniglot" => Omniglot.Load(RequirePath(configuration), new OmniglotOptions
            {
                Split = Split(configuration.Split),
                ImageSize = configuration.ImageSize,

                // CACTUs reads images, not classes: rotating characters into new classes would use the labels.
                TrainRotations = configuration.Algorithm == "cactus" ? [0] : [0, 90, 180, 270],
            }),
            "folder" => UserDataSplits.Folder(RequirePath(configuration), configuration, testWays, testShots),
            "npz" => UserDataSplits.Arrays(configuration, testWays, testShots),
            "fashion-mnist" => FashionMnistSplits(configuration),
            _ => throw new ArgumentException($"unknown dataset '{configuration.Dataset}': expected omniglot, fashion-mnist, sinusoid, folder or npz"),
        };

        ITaskSource train = configuration.Algorithm switch
        {
            "finetune" => new ClassBatchTaskSource(splits.Train, PretrainBatchSize),
            "siamese" or "siamese-contrastive" => new PairTaskSource(splits.Train, configuration.SiamesePairs),
            "cactus" => new CactusTaskSource(splits.Train, configuration.EffectiveTrainWays, configuration.EffectiveTrainShots, configuration.Queries, new CactusOptions
            {
                Partitions = configuration.Partitions,
                Clusters = configuration.Clusters,
                AutoencoderIterations = configuration.PretrainIterations,
                Seed = configuration.Seed,
            }),
            _ when configuration.TrainBlock is { } block => new EpisodeTaskSource(new WithinGroupEpisodeSampler(
                splits.Train, OmniglotBlocks.Group(splits.Train, block), configuration.EffectiveTrainWays, configuration.EffectiveTrainShots, configuration.Queries, "block")),
            _ => Episodes(splits.Train, configuration.EffectiveTrainWays, configuration.EffectiveTrainShots, configuration.Queries),
        };
        if (configuration.TrainBlock is not null && train is not EpisodeTaskSource { Sampler: WithinGroupEpisodeSampler })
        {
            throw new ArgumentException($"{configuration.Algorithm} does not train on episodes, so it has no episode classes to draw from a block");
        }

        // Validation classes held out of the user's data are as many as the run's ways need, which eval may raise for its tests.
        var validationWays = configuration.ValidationClasses > 0 || configuration.ValidationFolder is not null ? configuration.Ways : testWays;
        var validation = splits.Validation is null ? null : Episodes(splits.Validation, validationWays, testShots, configuration.Queries);
        var run = new RunData(train, validation, Episodes(splits.Test, testWays, testShots, configuration.Queries),
            splits.Train.ExampleShape.Select(d => (long)d).ToArray(), splits.Train.ClassCount);
        var alphabets = withinAlphabet
            ? new EpisodeTaskSource(new WithinGroupEpisodeSampler(splits.Test, OmniglotAlphabets.GroupEvaluationClasses(splits.Test), testWays, testShots, configuration.Queries, "alphabet"))
            : null;
        return (run, alphabets);
    }

    /// <summary>
    /// The queries per class that fit the data <paramref name="configuration"/> names beside <paramref name="shots"/>
    /// support examples, for a command whose queries are a default rather than the user's (eval of a bundle, whose
    /// manifest does not record the run's): <paramref name="preferred"/>, or as many as the smallest class of folder or
    /// npz data holds after the shots. Other datasets (Omniglot's 20 drawings a character, Fashion-MNIST, generated
    /// sinusoids) and data that is not there (<see cref="Load(RunConfiguration, int?, int?)"/> names it) take <paramref name="preferred"/>.
    /// </summary>
    /// <returns>The queries, and the smallest class when it lowered them ("class folder '…/a' has 12 images"); null when it did not.</returns>
    /// <exception cref="ArgumentException">The smallest class holds no more examples than the shots, so not even one query fits: the message names it and both counts.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shots"/> or <paramref name="preferred"/> is not positive.</exception>
    public static (int Queries, string? LimitedBy) QueriesThatFit(RunConfiguration configuration, int shots, int preferred)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shots);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(preferred);

        // The loader checks every class against the larger of the training and test shots (UserDataSplits).
        var needed = Math.Max(configuration.EffectiveTrainShots, shots);
        if (UserDataSplits.SmallestClass(configuration) is not var (name, examples, unit) || examples - needed >= preferred)
        {
            return (preferred, null);
        }

        if (examples <= needed)
        {
            throw new ArgumentException($"{name} has {examples} {unit}, but {needed}-shot episodes need {needed + 1} of every class to leave one query: "
                + $"lower --shots, or {(unit == "images" ? "add images" : "give more examples")}");
        }

        return (examples - needed, $"{name} has {examples} {unit}");
    }

    private static EpisodeTaskSource Episodes(IFewShotDataset dataset, int ways, int shots, int queries) =>
        new(new EpisodeSampler(dataset, ways, shots, queries));

    private static OmniglotSplit Split(string split) => split switch
    {
        "lake" => OmniglotSplit.Lake,
        "paper" => OmniglotSplit.Paper,
        _ => throw new ArgumentException($"unknown split '{split}': expected lake or paper"),
    };

    private static string RequirePath(RunConfiguration configuration) => configuration.DataPath switch
    {
        { Length: > 0 } path when Directory.Exists(path) => path,
        null or "" => throw new ArgumentException($"dataset '{configuration.Dataset}' needs --data <folder>"),
        // A run's recorded folder that has since moved or gone: the usual case when eval or export gets no --data.
        var path when !Path.Exists(path) => throw new ArgumentException($"dataset '{configuration.Dataset}' is read from '{path}', which does not exist (moved or deleted?): give its folder with --data"),
        var path => throw new ArgumentException($"dataset '{configuration.Dataset}' needs --data <folder>, and '{path}' is a file, not a folder"),
    };

    /// <summary>Fashion-MNIST from --data, or from where Debian's dataset-fashion-mnist package installs it.</summary>
    private static DatasetSplits FashionMnistSplits(RunConfiguration configuration)
    {
        if (configuration.ImageSize != FashionMnist.ImageSize)
        {
            throw new ArgumentException($"Fashion-MNIST images are {FashionMnist.ImageSize}x{FashionMnist.ImageSize}; image size {configuration.ImageSize} is not supported");
        }

        return FashionMnist.Load(configuration.DataPath is { Length: > 0 } ? RequirePath(configuration) : FashionMnist.DefaultDirectory);
    }
}
