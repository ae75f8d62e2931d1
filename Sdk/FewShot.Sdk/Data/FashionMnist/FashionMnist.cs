namespace FewShot.Sdk.Data;

/// <summary>
/// Loads Fashion-MNIST (Xiao et al. 2017: 28×28 gray images of 10 kinds of clothing, MIT licence) from the four IDX
/// files that Debian's <c>dataset-fashion-mnist</c> package installs in <see cref="DefaultDirectory"/>, and splits its
/// classes for few-shot learning.
/// </summary>
/// <remarks>
/// Pixels become byte / 255, so the item is bright on a dark background, as distributed. With only ten classes, the
/// few-shot split is by class: meta-training draws classes 0–4 (T-shirt/top, trouser, pullover, dress, coat) from the
/// 60,000 training images, tests draw classes 5–9 (sandal, shirt, sneaker, bag, ankle boot) from the 10,000 test
/// images, so no test class and no test image is seen in training. Loads are cached per file for the life of the
/// process, until a file changes (its size or time: then it is read again); thread-safe.
/// </remarks>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The side of the images in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>The classes of the training split (the others are the test split's).</summary>
    public const int TrainClassCount = 5;

    /// <summary>The ten class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["t-shirt-top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"];

    private static readonly string[] FileKinds = ["-images-idx3-ubyte", "-labels-idx1-ubyte"];

    // A prefix's files: each kind compressed or not, whichever is there (Find).
    private static readonly FileBackedCache<string, InMemoryDataset> Cache = new(
        prefix => FileKinds.SelectMany(kind => new[] { prefix + kind + ".gz", prefix + kind }),
        Read);

    /// <summary>The class split: training classes 0–4 from the training file, test classes 5–9 from the test file.</summary>
    /// <param name="directory">The folder holding the four <c>*-ubyte.gz</c> files (or uncompressed ones).</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the Debian package that installs them.</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX, or images and labels disagree.</exception>
    public static DatasetSplits Load(string directory = DefaultDirectory)
    {
        var train = LoadFile(directory, test: false);
        var test = LoadFile(directory, test: true);
        return new DatasetSplits(
            new ClassSubsetDataset(train, Enumerable.Range(0, TrainClassCount).ToArray()),
            validation: null,
            new ClassSubsetDataset(test, Enumerable.Range(TrainClassCount, ClassNames.Count - TrainClassCount).ToArray()));
    }

    /// <summary>All ten classes of the training file (<paramref name="test"/> false) or the test file, as examples [1, 28, 28] in [0, 1].</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the Debian package that installs them.</exception>
    /// <exception cref="InvalidDataException">A file is not valid IDX, or images and labels disagree.</exception>
    public static InMemoryDataset LoadFile(string directory, bool test)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return Cache.Get(Path.Combine(Path.GetFullPath(directory), test ? "t10k" : "train"));
    }

    private static InMemoryDataset Read(string prefix)
    {
        var images = IdxReader.Read(Find(prefix + "-images-idx3-ubyte"));
        var labels = IdxReader.Read(Find(prefix + "-labels-idx1-ubyte"));
        if (images.Shape is not [var count, ImageSize, ImageSize])
        {
            throw new InvalidDataException($"{prefix}-images holds shape [{string.Join(", ", images.Shape)}]; expected [n, {ImageSize}, {ImageSize}]");
        }

        if (labels.Shape is not [var labelCount] || labelCount != count)
        {
            throw new InvalidDataException($"{prefix}-labels holds shape [{string.Join(", ", labels.Shape)}] for {count} images; expected [{count}]");
        }

        const int pixels = ImageSize * ImageSize;
        var perClass = new int[ClassNames.Count];
        foreach (var label in labels.Values)
        {
            if (label >= ClassNames.Count)
            {
                throw new InvalidDataException($"{prefix}-labels holds label {label}; Fashion-MNIST's labels are 0 to {ClassNames.Count - 1}");
            }

            perClass[label]++;
        }

        var blocks = perClass.Select(n => new float[n * pixels]).ToArray();
        var filled = new int[ClassNames.Count];
        for (int i = 0; i < count; i++)
        {
            int label = labels.Values[i];
            var destination = blocks[label].AsSpan(filled[label]++ * pixels, pixels);
            var source = images.Values.AsSpan(i * pixels, pixels);
            for (int p = 0; p < pixels; p++)
            {
                destination[p] = source[p] / 255f;
            }
        }

        return new InMemoryDataset(ClassNames, blocks, [1, ImageSize, ImageSize]);
    }

    /// <summary>The four files <see cref="Load"/> reads from <paramref name="directory"/>; null when one is missing (<see cref="Load"/> names it).</summary>
    internal static IReadOnlyList<string>? Files(string directory)
    {
        var found = new List<string>();
        foreach (var prefix in new[] { "train", "t10k" })
        {
            foreach (var kind in FileKinds)
            {
                var stem = Path.Combine(Path.GetFullPath(directory), prefix + kind);
                if (!File.Exists(stem + ".gz") && !File.Exists(stem))
                {
                    return null;
                }

                found.Add(Find(stem));
            }
        }

        return found;
    }

    private static string Find(string stem)
    {
        if (File.Exists(stem + ".gz"))
        {
            return stem + ".gz";
        }

        if (File.Exists(stem))
        {
            return stem;
        }

        throw new FileNotFoundException(
            $"Fashion-MNIST file {stem}.gz is missing: install Debian's dataset-fashion-mnist package (it puts the files in {DefaultDirectory}), or pass the folder that holds them",
            stem + ".gz");
    }
}
