using System.Globalization;

namespace FewShot.Sdk.Data;

/// <summary>
/// Loads Omniglot (Lake et al. 2015) from the two NumPy archives of the shared dataset folder and builds the
/// standard few-shot class splits.
/// </summary>
/// <remarks>
/// Preprocessing is the standard one: each 105×105 drawing is area-averaged to <see cref="OmniglotOptions.ImageSize"/>
/// (exactly; see <see cref="AreaResizer"/>) with strokes 1.0 and paper 0.0, so examples are <c>[1, size, size]</c>
/// in [0, 1]. Loaded characters are cached per folder and size for the life of the process (about 100 MB at 28×28),
/// so later calls return at once, until an archive changes (its size or time: then it is read again); the cache is
/// thread-safe and <see cref="ClearCache"/> empties it.
/// </remarks>
public static class Omniglot
{
    /// <summary>All characters: background and evaluation.</summary>
    public const int CharacterCount = BackgroundCharacterCount + EvaluationCharacterCount;

    /// <summary>Characters in <c>images_background.npz</c> (30 alphabets), numbered 0001–0964.</summary>
    public const int BackgroundCharacterCount = 964;

    /// <summary>Characters in <c>images_evaluation.npz</c> (20 alphabets), numbered 0965–1623.</summary>
    public const int EvaluationCharacterCount = 659;

    /// <summary>Drawings of each character, each by a different person.</summary>
    public const int DrawingsPerCharacter = 20;

    /// <summary>The side of the original drawings in pixels.</summary>
    public const int SourceImageSize = 105;

    /// <summary>Characters in the training classes of <see cref="OmniglotSplit.Paper"/> (before rotation).</summary>
    public const int PaperTrainCount = 1100;

    /// <summary>Characters in the validation classes of <see cref="OmniglotSplit.Paper"/>.</summary>
    public const int PaperValidationCount = 100;

    /// <summary>Characters in the test classes of <see cref="OmniglotSplit.Paper"/>.</summary>
    public const int PaperTestCount = CharacterCount - PaperTrainCount - PaperValidationCount;

    /// <summary>The files <see cref="LoadCharacters"/> reads from Omniglot's folder: the background set's archive, then the evaluation set's.</summary>
    internal static IReadOnlyList<string> Archives { get; } = ["images_background.npz", "images_evaluation.npz"];

    private static readonly FileBackedCache<(string Directory, int Size), InMemoryDataset> Cache =
        new(key => Archives.Select(archive => Path.Combine(key.Directory, archive)), key => Read(key.Directory, key.Size));

    /// <summary>
    /// Loads Omniglot from <paramref name="directory"/> and splits it as <paramref name="options"/> says; the training
    /// split carries the rotation classes.
    /// </summary>
    /// <exception cref="FileNotFoundException">An archive is missing.</exception>
    /// <exception cref="InvalidDataException">An archive does not hold the expected arrays.</exception>
    public static DatasetSplits Load(string directory, OmniglotOptions? options = null)
    {
        options ??= new OmniglotOptions();
        return CreateSplits(LoadCharacters(directory, options.ImageSize), options);
    }

    /// <summary>
    /// Returns all 1,623 characters as one dataset (cached): classes 0–963 are the background characters and
    /// 964–1622 the evaluation ones, named by their four-digit number in the original release ("0001"–"1623");
    /// each has 20 examples <c>[1, <paramref name="imageSize"/>, <paramref name="imageSize"/>]</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">An archive is missing.</exception>
    /// <exception cref="InvalidDataException">An archive does not hold the expected arrays.</exception>
    public static InMemoryDataset LoadCharacters(string directory, int imageSize = 28)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        return Cache.Get((Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)), imageSize));
    }

    /// <summary>
    /// Splits the 1,623 characters of <see cref="LoadCharacters"/> by <paramref name="options"/>: the training split
    /// is a <see cref="RotatedClassesDataset"/> over <see cref="OmniglotOptions.TrainRotations"/>, validation and
    /// test are plain <see cref="ClassSubsetDataset"/>s. Within each split, characters are in ascending order.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="characters"/> does not hold 1,623 classes.</exception>
    public static DatasetSplits CreateSplits(IFewShotDataset characters, OmniglotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(characters);
        options ??= new OmniglotOptions();
        if (characters.ClassCount != CharacterCount)
        {
            throw new ArgumentException($"Omniglot splits need all {CharacterCount} characters, but the dataset has {characters.ClassCount} classes", nameof(characters));
        }

        switch (options.Split)
        {
            case OmniglotSplit.Lake:
                return new DatasetSplits(
                    Train(characters, Enumerable.Range(0, BackgroundCharacterCount), options),
                    validation: null,
                    new ClassSubsetDataset(characters, Enumerable.Range(BackgroundCharacterCount, EvaluationCharacterCount).ToArray()));
            case OmniglotSplit.Paper:
                int[] order = Permutation(new Random(options.SplitSeed), CharacterCount);
                return new DatasetSplits(
                    Train(characters, order.Take(PaperTrainCount), options),
                    new ClassSubsetDataset(characters, order.Skip(PaperTrainCount).Take(PaperValidationCount).Order().ToArray()),
                    new ClassSubsetDataset(characters, order.Skip(PaperTrainCount + PaperValidationCount).Order().ToArray()));
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Split, "unknown Omniglot split");
        }
    }

    /// <summary>Forgets every cached load, releasing its memory once no dataset refers to it.</summary>
    public static void ClearCache() => Cache.Clear();

    private static RotatedClassesDataset Train(IFewShotDataset characters, IEnumerable<int> indices, OmniglotOptions options) =>
        new(new ClassSubsetDataset(characters, indices.Order().ToArray()), options.TrainRotations);

    /// <summary>
    /// A Fisher–Yates permutation written out rather than <see cref="Random.Shuffle{T}(T[])"/>, so that the split
    /// depends only on the documented <see cref="Random.Next(int, int)"/> sequence of a seeded <see cref="Random"/>.
    /// </summary>
    private static int[] Permutation(Random random, int count)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static InMemoryDataset Read(string directory, int imageSize)
    {
        var names = new string[CharacterCount];
        var blocks = new float[CharacterCount][];
        var resizer = new AreaResizer(SourceImageSize, SourceImageSize, imageSize, imageSize);
        OmniglotArchive.Read(Path.Combine(directory, Archives[0]), BackgroundCharacterCount, resizer, blocks.AsSpan(0, BackgroundCharacterCount));
        OmniglotArchive.Read(Path.Combine(directory, Archives[1]), EvaluationCharacterCount, resizer, blocks.AsSpan(BackgroundCharacterCount));
        for (int c = 0; c < CharacterCount; c++)
        {
            names[c] = (c + 1).ToString("D4", CultureInfo.InvariantCulture);
        }

        return new InMemoryDataset(names, blocks, [1, imageSize, imageSize]);
    }
}
