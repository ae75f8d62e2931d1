namespace FewShot.Sdk.Data;

/// <summary>
/// Loads a dataset laid out as one folder per class, <c>root/&lt;class&gt;/*.png</c> (or JPEG), into memory.
/// </summary>
public static class ImageFolder
{
    /// <summary>
    /// Decodes every PNG and JPEG image under <paramref name="root"/> into float32 examples <c>[C, Height, Width]</c> in [0, 1],
    /// resized by area averaging. Classes are the sub-folders sorted by name (ordinal), each named after its
    /// folder; examples are the <c>.png</c>, <c>.jpg</c> and <c>.jpeg</c> files (any letter case) in the class folder and its
    /// sub-folders, sorted by path. Other files and hidden files and folders (name starting with '.') are ignored.
    /// <paramref name="progress"/> receives the number of images decoded so far.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">There are no class folders, a class folder has no image, or an image is invalid or truncated (the message names the file).</exception>
    public static InMemoryDataset Load(
        string root,
        ImageFolderOptions? options = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        options ??= new ImageFolderOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Height, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Width, nameof(options));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"image folder root '{root}' does not exist");
        }

        string[] classFolders = ClassFolders(root);
        if (classFolders.Length == 0)
        {
            throw new InvalidDataException($"image folder root '{root}' has no class folders; expected root/<class>/*.png or *.jpg");
        }

        int channels = options.ColorMode == ImageColorMode.Grayscale ? 1 : 3;
        int exampleLength = channels * options.Height * options.Width;
        var names = new string[classFolders.Length];
        var blocks = new float[classFolders.Length][];
        int decoded = 0;
        for (int c = 0; c < classFolders.Length; c++)
        {
            names[c] = Path.GetFileName(classFolders[c]);
            string[] files = ImageFiles(classFolders[c]);
            if (files.Length == 0)
            {
                throw new InvalidDataException($"class folder '{classFolders[c]}' has no .png, .jpg or .jpeg files");
            }

            blocks[c] = new float[files.Length * exampleLength];
            for (int i = 0; i < files.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                float[] example = ImageDecoder.Decode(files[i]).ToTensor(options.ColorMode, options.Height, options.Width);
                example.CopyTo(blocks[c], i * exampleLength);
                progress?.Report(++decoded);
            }
        }

        return new InMemoryDataset(names, blocks, [channels, options.Height, options.Width]);
    }

    /// <summary>The class folders <see cref="Load"/> reads: the sub-folders of <paramref name="root"/> not hidden, sorted by name (ordinal).</summary>
    internal static string[] ClassFolders(string root) =>
        Directory.GetDirectories(root).Where(path => !Path.GetFileName(path).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The images <see cref="Load"/> reads from one class folder and its sub-folders (a class's images grouped by session
    /// or source stay the class's), hidden files and folders skipped, sorted by path (ordinal).
    /// </summary>
    internal static string[] ImageFiles(string classFolder) =>
        Directory.EnumerateFiles(classFolder, "*", ClassFolderFiles).Where(ImageDecoder.IsImageFile).Order(StringComparer.Ordinal).ToArray();

    // Hidden entries (names starting with '.' on Unix: macOS's "._x.png" companions, ".thumbnails") are not the class's
    // images; the depth bound stops a symbolic link that points back up the tree.
    private static readonly EnumerationOptions ClassFolderFiles = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        MaxRecursionDepth = 8,
    };

    /// <summary>The roots of class folders that a folder dataset reads: root/train and root/test when both exist, otherwise root.</summary>
    internal static string[] Roots(string root)
    {
        var trainFolder = Path.Combine(root, "train");
        var testFolder = Path.Combine(root, "test");
        return Directory.Exists(trainFolder) && Directory.Exists(testFolder) ? [trainFolder, testFolder] : [root];
    }

    /// <summary>The name of the folder of validation classes in a root of train, val and test folders (torchvision's and miniImageNet's layout).</summary>
    public const string ValidationFolderName = "val";

    /// <summary>
    /// <see cref="ValidationFolderName"/> when <paramref name="root"/> holds train, val and test folders, whose val's class
    /// folders are then a run's validation classes; null otherwise.
    /// </summary>
    public static string? ValidationFolder(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Roots(root).Length == 2 && Directory.Exists(Path.Combine(root, ValidationFolderName)) ? ValidationFolderName : null;
    }

    /// <summary>
    /// Every image file that a folder dataset at <paramref name="root"/> reads (<see cref="Roots"/>, their class folders,
    /// and those of <paramref name="validationFolder"/> when given); none when it does not exist.
    /// </summary>
    internal static IEnumerable<string> ImagesRead(string root, string? validationFolder = null) =>
        Directory.Exists(root)
            ? Roots(root).Concat(validationFolder is null ? [] : [Path.Combine(root, validationFolder)]).Where(Directory.Exists).SelectMany(ClassFolders).SelectMany(ImageFiles)
            : [];

    /// <summary>
    /// The image formats of the files a folder dataset at <paramref name="root"/> reads (<see cref="ImagesRead"/>), by
    /// file extension, in the order of <see cref="ImageDecoder.Extensions"/>: "PNG", "JPEG" or both; empty when the folder
    /// does not exist or holds no images.
    /// </summary>
    public static IReadOnlyList<string> Formats(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var found = ImagesRead(root).Select(ImageDecoder.FormatName).ToHashSet();
        return [.. ImageDecoder.Extensions.Select(ImageDecoder.FormatName).Distinct().Where(found.Contains)];
    }
}
