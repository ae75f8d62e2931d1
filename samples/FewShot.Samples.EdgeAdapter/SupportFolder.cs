namespace FewShot.Samples.EdgeAdapter;

/// <summary>
/// A support set on disk: one sub-folder per class, named after the class, holding that class's <c>.pgm</c> images.
/// Immutable.
/// </summary>
public sealed class SupportFolder
{
    private SupportFolder(IReadOnlyList<string> files, IReadOnlyList<string> labels)
    {
        Files = files;
        Labels = labels;
    }

    /// <summary>Every image, class by class (classes sorted by name, ordinal), each class's files sorted by name.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The label of each of <see cref="Files"/>: its folder's name.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Lists the images under <paramref name="root"/>. Hidden folders (name starting with '.') and files other than *.pgm are ignored.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">There is no class folder, a class folder has no .pgm file, or a .pgm file lies beside the class folders.</exception>
    public static SupportFolder Scan(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The support folder '{root}' does not exist.");
        }

        string[] classFolders = [.. Directory.GetDirectories(root)
            .Where(path => !Path.GetFileName(path).StartsWith('.'))
            .Order(StringComparer.Ordinal)];
        if (classFolders.Length == 0)
        {
            throw new InvalidDataException($"The support folder '{root}' has no class folders; expected {root}/<class>/*.pgm.");
        }

        // A .pgm beside the class folders has no class: refused rather than left out of the support set without a word.
        string[] loose = [.. Directory.GetFiles(root)
            .Where(path => path.EndsWith(".pgm", StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(path).StartsWith('.'))
            .Order(StringComparer.Ordinal)];
        if (loose.Length > 0)
        {
            throw new InvalidDataException($"The support folder '{root}' holds {loose.Length} .pgm {(loose.Length == 1 ? "image" : "images")} beside its class folders "
                + $"({string.Join(", ", loose.Take(3).Select(Path.GetFileName))}{(loose.Length > 3 ? ", ..." : "")}), which have no class; move each into its class folder.");
        }

        var files = new List<string>();
        var labels = new List<string>();
        foreach (string folder in classFolders)
        {
            string[] images = [.. Directory.GetFiles(folder)
                .Where(path => path.EndsWith(".pgm", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)];
            if (images.Length == 0)
            {
                throw new InvalidDataException($"The class folder '{folder}' has no .pgm images; every class needs at least one example.");
            }

            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat(Path.GetFileName(folder), images.Length));
        }

        return new SupportFolder(files.AsReadOnly(), labels.AsReadOnly());
    }
}
