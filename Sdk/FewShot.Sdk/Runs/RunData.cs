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
    /// <exception cref="ArgumentException">The dataset or split is unknown, the data path is missing, an npz file does not hold fitting arrays (<see cref="LabeledArrays.Load"/>; too few classes for the ways, or examples for the shots and queries), or training blocks are asked for where there are none (not Omniglot, a learner without episodes, a block with fewer classes than the training ways).</exception>
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
            "folder" => FolderSplits(RequirePath(configuration), configuration, testWays, testShots),
            "npz" => ArraySplits(configuration, testWays, testShots),
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

        var validation = splits.Validation is null ? null : Episodes(splits.Validation, testWays, testShots, configuration.Queries);
        var run = new RunData(train, validation, Episodes(splits.Test, testWays, testShots, configuration.Queries),
            splits.Train.ExampleShape.Select(d => (long)d).ToArray(), splits.Train.ClassCount);
        var alphabets = withinAlphabet
            ? new EpisodeTaskSource(new WithinGroupEpisodeSampler(splits.Test, OmniglotAlphabets.GroupEvaluationClasses(splits.Test), testWays, testShots, configuration.Queries, "alphabet"))
            : null;
        return (run, alphabets);
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

    /// <summary>
    /// root/train and root/test when both exist; otherwise the classes of root split 80/20 by a permutation seeded
    /// with the run's seed.
    /// </summary>
    private static DatasetSplits FolderSplits(string root, RunConfiguration configuration, int testWays, int testShots)
    {
        var options = new ImageFolderOptions { Height = configuration.ImageSize, Width = configuration.ImageSize };
        var trainShots = configuration.EffectiveTrainShots;
        if (ImageFolder.Roots(root) is [var trainFolder, var testFolder])
        {
            var train = ImageFolder.Load(trainFolder, options);
            var test = ImageFolder.Load(testFolder, options);
            RequireImages(trainFolder, train, trainShots, configuration.Queries);
            RequireImages(testFolder, test, testShots, configuration.Queries);
            RequireClassFolders(trainFolder, train, configuration.EffectiveTrainWays, "training");
            RequireClassFolders(testFolder, test, testWays, "test");
            return new DatasetSplits(train, null, test);
        }

        var all = ImageFolder.Load(root, options);
        var splits = SeededClassSplit(all, configuration.Seed, $"{root} has {all.ClassCount} class folders");
        RequireImages(root, all, Math.Max(trainShots, testShots), configuration.Queries);
        RequireEpisodeClasses(splits, $"'{root}'", all.ClassCount, "class folders", configuration, testWays);
        return splits;
    }

    // The episode sampler's own errors name neither the folder nor the option to change.
    private static void RequireImages(string root, IFewShotDataset classes, int shots, int queries) =>
        RequireExamplesPerClass(classes, shots, queries, c => $"class folder '{Path.Combine(root, classes.GetClassName(c))}'", "images", "add images");

    private static void RequireClassFolders(string root, IFewShotDataset classes, int ways, string purpose)
    {
        if (classes.ClassCount < ways)
        {
            throw new ArgumentException($"'{root}' has {classes.ClassCount} class folders, but the run draws {ways}-way {purpose} episodes: add class folders, or give fewer --ways");
        }
    }

    /// <summary>
    /// The labelled examples of an .npz (<see cref="LabeledArrays"/>), their classes split as a folder's are
    /// (<see cref="SeededClassSplit"/>), checked against the episodes the run draws so that a misfit names the file.
    /// </summary>
    private static DatasetSplits ArraySplits(RunConfiguration configuration, int testWays, int testShots)
    {
        var path = configuration.DataPath is { Length: > 0 } given && File.Exists(given)
            ? given
            : throw new ArgumentException($"dataset 'npz' needs --data <file.npz> (arrays 'x' [n, ...] and 'y' [n] of integer labels), and '{configuration.DataPath}' is not a file");
        var all = LabeledArrays.Load(path);
        RequireExamplesPerClass(all, Math.Max(configuration.EffectiveTrainShots, testShots), configuration.Queries,
            c => $"{path}: class y == {all.GetClassName(c)}", "examples", "give more examples");
        var splits = SeededClassSplit(all, configuration.Seed, $"{path} has {all.ClassCount} {(all.ClassCount == 1 ? "class" : "classes")} (distinct values of 'y')");
        RequireEpisodeClasses(splits, path, all.ClassCount, "classes", configuration, testWays);
        return splits;
    }

    /// <summary>Refuses a class with fewer examples than an episode draws from it, naming it (<paramref name="name"/>) and what to change.</summary>
    private static void RequireExamplesPerClass(IFewShotDataset classes, int shots, int queries, Func<int, string> name, string examples, string more)
    {
        for (var c = 0; c < classes.ClassCount; c++)
        {
            if (classes.GetExampleCount(c) < shots + queries)
            {
                throw new ArgumentException($"{name(c)} has {classes.GetExampleCount(c)} {examples}, but {shots}-shot "
                    + $"episodes with {queries} queries need {shots + queries} of every class: lower --shots or --queries, or {more}");
            }
        }
    }

    /// <summary>Refuses a seeded 80/20 split that leaves fewer classes than the training or test episodes draw.</summary>
    private static void RequireEpisodeClasses(DatasetSplits splits, string source, int classCount, string classes, RunConfiguration configuration, int testWays)
    {
        if (splits.Test.ClassCount < testWays || splits.Train.ClassCount < configuration.EffectiveTrainWays)
        {
            throw new ArgumentException($"{source} has {classCount} {classes}, split by the seed into {splits.Train.ClassCount} for training and {splits.Test.ClassCount} for testing (80/20), "
                + $"but the run draws {configuration.EffectiveTrainWays}-way training and {testWays}-way test episodes: "
                + $"give at least {MinimumClasses(configuration.EffectiveTrainWays, testWays)} {classes}, or fewer --ways");
        }
    }

    /// <summary>The fewest classes whose 80/20 split leaves <paramref name="trainWays"/> for training and <paramref name="testWays"/> for testing.</summary>
    private static int MinimumClasses(int trainWays, int testWays)
    {
        var classes = trainWays + testWays;
        while (TrainingClasses(classes) < trainWays || classes - TrainingClasses(classes) < testWays)
        {
            classes++;
        }

        return classes;
    }

    private static int TrainingClasses(int classCount) => Math.Max(1, (int)(classCount * 0.8));

    /// <summary>
    /// The split of a dataset that brings no split of its own (class folders, an .npz): 80 % of its classes, at least one,
    /// for training and the rest for testing, by a permutation seeded with the run's seed, so eval and export on the run
    /// see the classes it trained on as training classes. No validation classes.
    /// </summary>
    /// <param name="all">Every class.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="counted">Says how many classes the source has, for the error when it has too few ("root has 1 class folders").</param>
    private static DatasetSplits SeededClassSplit(IFewShotDataset all, int seed, string counted)
    {
        var order = Enumerable.Range(0, all.ClassCount).ToArray();
        SeedSequence.For(seed, SeedSequence.Purpose.Initialization, 1).Shuffle(order);
        var trainCount = TrainingClasses(all.ClassCount);
        if (trainCount >= all.ClassCount)
        {
            throw new ArgumentException($"{counted}; at least 2 are needed to keep test classes apart from training classes");
        }

        return new DatasetSplits(new ClassSubsetDataset(all, order[..trainCount]), null, new ClassSubsetDataset(all, order[trainCount..]));
    }
}
