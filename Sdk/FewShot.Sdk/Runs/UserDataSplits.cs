using FewShot.Sdk.Data;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Runs;

/// <summary>
/// The class splits of the data users bring (class folders of images, an .npz of labelled arrays), which define none
/// of their own: training and test classes by a permutation seeded with the run's seed, and the
/// <see cref="RunConfiguration.ValidationClasses"/> held out of the training classes. Every misfit with the episodes
/// the run draws is refused here, naming the file or folder and the option to change, which the episode sampler's own
/// errors cannot.
/// </summary>
internal static class UserDataSplits
{
    /// <summary>
    /// root/train and root/test when both exist; otherwise the classes of root split 80/20 by a permutation seeded
    /// with the run's seed.
    /// </summary>
    public static DatasetSplits Folder(string root, RunConfiguration configuration, int testWays, int testShots)
    {
        var options = new ImageFolderOptions { Height = configuration.ImageSize, Width = configuration.ImageSize, ColorMode = configuration.ColorMode };
        var trainShots = configuration.EffectiveTrainShots;
        if (ImageFolder.Roots(root) is [var trainFolder, var testFolder])
        {
            var train = ImageFolder.Load(trainFolder, options);
            var test = ImageFolder.Load(testFolder, options);
            // Validation episodes draw the test shots from training classes held out.
            RequireImages(trainFolder, train, configuration.ValidationClasses > 0 ? Math.Max(trainShots, testShots) : trainShots, configuration.Queries);
            RequireImages(testFolder, test, testShots, configuration.Queries);
            RequireClassFolders(trainFolder, train, configuration.EffectiveTrainWays, "training");
            RequireClassFolders(testFolder, test, testWays, "test");
            if (configuration.ValidationFolder is { } name)
            {
                return new DatasetSplits(train, ValidationClassFolders(root, name, configuration, options, testShots), test);
            }

            return HoldOutValidation(new DatasetSplits(train, null, test), configuration, $"'{trainFolder}' has {train.ClassCount} class folders", "class folders");
        }

        RequireNoSplitFoldersAsClasses(root);
        if (configuration.ValidationFolder is { } missing)
        {
            throw new ArgumentException($"the run validates on the class folders of '{Path.Combine(root, missing)}' beside '{Path.Combine(root, "train")}' and '{Path.Combine(root, "test")}', "
                + $"but '{root}' does not hold all three: give the run's own data with --data");
        }

        var all = ImageFolder.Load(root, options);
        var splits = SeededClassSplit(all, configuration.Seed, $"{root} has {all.ClassCount} class folders");
        RequireImages(root, all, Math.Max(trainShots, testShots), configuration.Queries);
        RequireEpisodeClasses(splits, $"'{root}'", all.ClassCount, "class folders", configuration, testWays);
        return HoldOutValidation(splits, configuration, SplitSaid(splits, $"'{root}'", all.ClassCount, "class folders"), "class folders");
    }

    /// <summary>
    /// The labelled examples of an .npz (<see cref="LabeledArrays"/>), their classes split as a folder's are
    /// (<see cref="SeededClassSplit"/>), checked against the episodes the run draws so that a misfit names the file.
    /// </summary>
    public static DatasetSplits Arrays(RunConfiguration configuration, int testWays, int testShots)
    {
        var path = configuration.DataPath is { Length: > 0 } given && File.Exists(given)
            ? given
            : throw new ArgumentException($"dataset 'npz' needs --data <file.npz> (arrays 'x' [n, ...] and 'y' [n] of integer labels), and '{configuration.DataPath}' is not a file");
        var all = LabeledArrays.Load(path);
        RequireExamplesPerClass(all, Math.Max(configuration.EffectiveTrainShots, testShots), configuration.Queries,
            c => $"{path}: class y == {all.GetClassName(c)}", "examples", "give more examples");
        var splits = SeededClassSplit(all, configuration.Seed, $"{path} has {all.ClassCount} {(all.ClassCount == 1 ? "class" : "classes")} (distinct values of 'y')");
        RequireEpisodeClasses(splits, path, all.ClassCount, "classes", configuration, testWays);
        return HoldOutValidation(splits, configuration, SplitSaid(splits, path, all.ClassCount, "classes"), "classes");
    }

    /// <summary>
    /// The class with the fewest examples among those <see cref="Folder"/> and <see cref="Arrays"/> check (every class
    /// folder of the root, or of root/train and root/test; every label of the arrays), said as their errors say it, with
    /// its count; images are counted, not decoded. Null for other data, or data that is not there (its loader names it).
    /// </summary>
    public static (string Name, int Examples, string Unit)? SmallestClass(RunConfiguration configuration)
    {
        switch (configuration.Dataset)
        {
            case "folder" when configuration.DataPath is { Length: > 0 } root && Directory.Exists(root):
                var folders = ImageFolder.Roots(root).SelectMany(ImageFolder.ClassFolders).Select(f => (Folder: f, Images: ImageFolder.ImageFiles(f).Length)).ToArray();
                if (folders.Length == 0)
                {
                    return null;
                }

                var (folder, images) = folders.MinBy(f => f.Images);
                return ($"class folder '{folder}'", images, "images");
            case "npz" when configuration.DataPath is { Length: > 0 } path && File.Exists(path):
                var all = LabeledArrays.Load(path);
                var smallest = Enumerable.Range(0, all.ClassCount).MinBy(all.GetExampleCount);
                return ($"{path}: class y == {all.GetClassName(smallest)}", all.GetExampleCount(smallest), "examples");
            default:
                return null;
        }
    }

    /// <summary>
    /// Refuses a split layout without the <c>test</c> folder that makes it one (torchvision's root/train and root/val), and a root/val of class folders without root/train and root/test:
    /// without this, 'train' and 'val' were read as two classes, each with the images of all its class folders (a class
    /// folder's sub-folders are the class's), and the run was refused for too few classes, or trained on two.
    /// </summary>
    private static void RequireNoSplitFoldersAsClasses(string root)
    {
        var classFolders = ImageFolder.ClassFolders(root);
        if (classFolders.FirstOrDefault(f => Path.GetFileName(f).Equals("train", StringComparison.OrdinalIgnoreCase)) is not { } train
            || ImageFolder.ClassFolders(train).Length == 0)
        {
            if (classFolders.FirstOrDefault(f => Path.GetFileName(f) == ImageFolder.ValidationFolderName) is { } val && ImageFolder.ClassFolders(val).Length > 0)
            {
                // Read as a class, 'val' would hold the images of all its class folders: the same mistake as 'train' below.
                var beside = new[] { "train", "test" }.Where(n => !Directory.Exists(Path.Combine(root, n))).Select(n => $"'{n}'");
                throw new ArgumentException($"'{root}' holds a folder '{ImageFolder.ValidationFolderName}' of {ImageFolder.ClassFolders(val).Length} sub-folders but no {string.Join(" or ", beside)} folder beside it, "
                    + $"so '{ImageFolder.ValidationFolderName}' would be read as one class holding the images of all its sub-folders: give root/train, root/val and root/test, each of class folders "
                    + "(val's classes are then validated on), or point --data at a folder of class folders");
            }

            return;
        }

        var others = classFolders.Where(f => f != train).Select(f => $"'{Path.GetFileName(f)}'").ToArray();
        throw new ArgumentException($"'{root}' holds a folder '{Path.GetFileName(train)}' of {ImageFolder.ClassFolders(train).Length} sub-folders but no 'test' folder beside it"
            + $"{(others.Length > 0 ? $" (beside it: {string.Join(", ", others.Take(5))}{(others.Length > 5 ? ", …" : "")})" : "")}, so '{Path.GetFileName(train)}' would be read as one class "
            + "holding the images of all its sub-folders: give root/train and root/test, each of class folders (test classes never seen in training; "
            + "root/val beside them for validation classes, or --validation-classes to hold some out of train), or point --data at a folder of class folders");
    }

    /// <summary>
    /// The class folders of root/val (<see cref="RunConfiguration.ValidationFolder"/>): the run's validation classes, drawn
    /// as the run's <see cref="RunConfiguration.Ways"/>-way episodes of the test shots. Refused with --validation-classes
    /// too: one source of validation classes.
    /// </summary>
    private static InMemoryDataset ValidationClassFolders(string root, string name, RunConfiguration configuration, ImageFolderOptions options, int testShots)
    {
        var folder = Path.Combine(root, name);
        if (configuration.ValidationClasses > 0)
        {
            throw new ArgumentException($"'{root}' brings its validation classes in '{folder}', and --validation-classes {configuration.ValidationClasses} would hold more out of '{Path.Combine(root, "train")}': "
                + $"a run has one source of validation classes; leave --validation-classes out to validate on '{folder}', or train on a root without a '{name}' folder");
        }

        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"the run validates on the class folders of '{folder}', which does not exist (moved or deleted?): give the run's own data with --data");
        }

        var validation = ImageFolder.Load(folder, options);
        RequireImages(folder, validation, testShots, configuration.Queries);
        RequireClassFolders(folder, validation, configuration.Ways, "validation");
        return validation;
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
            throw new ArgumentException($"{SplitSaid(splits, source, classCount, classes)}, "
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

    /// <summary>What a seeded 80/20 split made of a source, for messages ("x.npz has 30 classes, split by the seed into 24 for training and 6 for testing (80/20)").</summary>
    private static string SplitSaid(DatasetSplits splits, string source, int classCount, string classes) =>
        $"{source} has {classCount} {classes}, split by the seed into {splits.Train.ClassCount} for training and {splits.Test.ClassCount} for testing (80/20)";

    /// <summary>
    /// The split of a dataset that brings no split of its own (class folders, an .npz): 80 % of its classes, at least one,
    /// for training and the rest for testing, by a permutation seeded with the run's seed, so eval and export on the run
    /// see the classes it trained on as training classes. No validation classes (<see cref="HoldOutValidation"/> adds them).
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

    /// <summary>
    /// <paramref name="splits"/> with <see cref="RunConfiguration.ValidationClasses"/> of its training classes, chosen by a
    /// permutation seeded with the run's seed, held out as validation classes; the test classes stay as they are, so a run
    /// that holds some out is tested on the classes it would have been tested on without. None: the splits unchanged.
    /// </summary>
    /// <param name="splits">Training and test classes, no validation classes.</param>
    /// <param name="configuration">The run: its seed, ways and validation classes.</param>
    /// <param name="counted">How the training classes came about, for messages.</param>
    /// <param name="classes">What a class is called ("classes", "class folders").</param>
    private static DatasetSplits HoldOutValidation(DatasetSplits splits, RunConfiguration configuration, string counted, string classes)
    {
        var held = configuration.ValidationClasses;
        if (held == 0)
        {
            return splits;
        }

        var train = splits.Train;
        if (held < configuration.Ways)
        {
            throw new ArgumentException($"--validation-classes {held} holds out fewer {classes} than the {configuration.Ways} a validation episode draws (the run's {configuration.Ways}-way episodes): "
                + $"hold out at least {configuration.Ways}, or give fewer --ways");
        }

        if (train.ClassCount - held < configuration.EffectiveTrainWays)
        {
            throw new ArgumentException($"{counted}; holding out {held} of the {train.ClassCount} training {classes} for validation (--validation-classes) leaves {train.ClassCount - held}, "
                + $"but the run draws {configuration.EffectiveTrainWays}-way training episodes: hold out at most {train.ClassCount - configuration.EffectiveTrainWays}, or give more {classes}");
        }

        // A stream of its own: the 80/20 split's permutation is index 1.
        var order = Enumerable.Range(0, train.ClassCount).ToArray();
        SeedSequence.For(configuration.Seed, SeedSequence.Purpose.Initialization, 2).Shuffle(order);
        var kept = train.ClassCount - held;
        return new DatasetSplits(new ClassSubsetDataset(train, [.. order[..kept].Order()]), new ClassSubsetDataset(train, [.. order[kept..].Order()]), splits.Test);
    }
}
