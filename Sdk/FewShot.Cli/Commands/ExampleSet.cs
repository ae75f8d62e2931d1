using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Data;

namespace FewShot.Cli.Commands;

/// <summary>
/// Examples for <c>fewshot adapt</c>, read from a folder or an .npz: inputs flattened row-major, with labels (class
/// folder names, or the integer array "y") or regression targets when the source has them.
/// </summary>
/// <param name="Inputs">[count × example size] values.</param>
/// <param name="Count">Number of examples.</param>
/// <param name="Names">A name per example (file name, or "#index").</param>
/// <param name="Labels">Labels, when known.</param>
/// <param name="Targets">Regression targets [count × outputs], when given.</param>
internal sealed record ExampleSet(float[] Inputs, int Count, IReadOnlyList<string> Names, IReadOnlyList<string>? Labels, float[]? Targets)
{
    /// <summary>
    /// A folder of class folders (label = folder name; hidden folders, named with a leading '.', are skipped) or of PNG/JPEG
    /// files (no labels), one PNG/JPEG file (no label), or an .npz with "x" [n, …shape] (gray images also [n, height, width])
    /// and optionally "y" (int labels, or float targets for regression).
    /// </summary>
    /// <remarks>
    /// Images become inputs as the bundle's manifest says (FewShot.Runtime's <see cref="Preprocessor"/>, the one home of
    /// image → input), with <paramref name="strokes"/> saying which of their pixels are strokes; a bundle that does not
    /// describe its preprocessing gets gray levels in [0, 1], 1.0 = white. Arrays in an .npz are inputs already and are
    /// taken as given: a stroke tone for them is refused, and only <paramref name="invert"/> changes them.
    /// </remarks>
    /// <param name="path">The folder, image file or .npz file.</param>
    /// <param name="input">The bundle's input: one example's shape ([channels, height, width], or [features]) and preprocessing.</param>
    /// <param name="strokes">Which pixels of the images are strokes (<see cref="StrokeTone.Auto"/>: each image decides); for .npz, only Auto.</param>
    /// <param name="invert">
    /// The old <c>--invert</c>: images are flipped (the tone <see cref="InvertedTone"/> names, which replaces <paramref name="strokes"/>),
    /// and every value v of an .npz becomes 1 − v.
    /// </param>
    /// <exception cref="ArgumentException">The path is none of these, or <paramref name="strokes"/> names a tone for an .npz.</exception>
    public static ExampleSet Load(string path, ManifestInput input, StrokeTone strokes = StrokeTone.Auto, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var tone = invert ? InvertedTone(input) : strokes;
        if (Directory.Exists(path))
        {
            return FromFolder(path, input, tone);
        }

        if (File.Exists(path) && ImageDecoder.IsImageFile(path))
        {
            return FromImages([(path, null)], Path.GetDirectoryName(Path.GetFullPath(path))!, input, tone);
        }

        var set = File.Exists(path) && path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? FromNpz(path, input.Shape)
            : throw new ArgumentException($"'{path}' is neither a folder of images, an image (.png, .jpg, .jpeg) nor an .npz file");
        if (strokes != StrokeTone.Auto)
        {
            // Before, the tone was dropped without a word (a dark-on-light .npz adapted with --strokes dark scored 66.67 %).
            throw new ArgumentException($"--strokes {strokes.ToString().ToLowerInvariant()} has no effect on {path}: an .npz holds the bundle's inputs as arrays, taken as given, "
                + "not images whose strokes could be found; leave --strokes out (--invert uses 1 − v for every value)");
        }

        if (invert)
        {
            for (var i = 0; i < set.Inputs.Length; i++)
            {
                set.Inputs[i] = 1 - set.Inputs[i];
            }
        }

        return set;
    }

    /// <summary>
    /// What <c>--invert</c> means for images: the tone that gives 1 − (gray level), as it always did. For bundles whose strokes
    /// are bright (the Omniglot preprocessing) that is <see cref="StrokeTone.Dark"/>, for the others <see cref="StrokeTone.Bright"/>.
    /// </summary>
    public static StrokeTone InvertedTone(ManifestInput input) =>
        input.Preprocessing is { Bright: BrightPart.Strokes } ? StrokeTone.Dark : StrokeTone.Bright;

    private static (ImageColorMode Mode, int Height, int Width) ImageInput(ManifestInput input)
    {
        var shape = input.Shape;
        if (shape.Count != 3)
        {
            throw new ArgumentException($"images need a bundle whose input is [channels, height, width]; this one takes [{string.Join(", ", shape)}]: pass an .npz");
        }

        var mode = shape[0] switch
        {
            1 => ImageColorMode.Grayscale,
            3 => ImageColorMode.Rgb,
            _ => throw new ArgumentException($"images have 1 or 3 channels; the bundle takes {shape[0]}"),
        };
        return (mode, (int)shape[1], (int)shape[2]);
    }

    private static ExampleSet FromFolder(string path, ManifestInput input, StrokeTone strokes)
    {
        // The bundle's input is checked before the folder is listed, as it was.
        _ = ImageInput(input);
        // Hidden folders (.ipynb_checkpoints, .thumbnails) are no classes: the class folders and images training's ImageFolder reads.
        var classes = ImageFolder.ClassFolders(path).Select(c => (Folder: c, Images: ImageFolder.ImageFiles(c))).ToArray();
        // A class without images would leave the support set one class short without a word; training refuses it too (ImageFolder).
        if (classes.FirstOrDefault(c => c.Images.Length == 0) is { Folder: { } empty })
        {
            throw new ArgumentException($"class folder {empty} holds no .png, .jpg or .jpeg files: give each class at least one image, or remove the folder");
        }

        // Images beside class folders have no label: before, they were dropped without a word (a query folder of three
        // images and one class folder predicted one image and reported its accuracy as the folder's).
        var loose = classes.Length > 0 ? LooseImages(path) : [];
        if (loose.Length > 0)
        {
            throw new ArgumentException($"{path} holds both class folders and {loose.Length} {(loose.Length == 1 ? "image" : "images")} beside them "
                + $"({string.Join(", ", loose.Take(3).Select(Path.GetFileName))}{(loose.Length > 3 ? ", …" : "")}), which have no class: "
                + "move each into its class folder, or give loose images a folder of their own");
        }

        var files = classes.Length > 0
            ? classes.SelectMany(c => c.Images.Select(f => (File: f, Label: (string?)Path.GetFileName(c.Folder)))).ToArray()
            : ImageFolder.ImageFiles(path).Select(f => (File: f, Label: (string?)null)).ToArray();
        if (files.Length == 0)
        {
            throw new ArgumentException($"{path} holds no .png, .jpg or .jpeg files (expected <folder>/<class>/*.png or <folder>/*.png)");
        }

        return FromImages(files, path, input, strokes);
    }

    // Image files directly in a folder of class folders, hidden ones skipped as ImageFolder skips them.
    private static string[] LooseImages(string path) =>
        [.. Directory.EnumerateFiles(path, "*", new EnumerationOptions { AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
            .Where(f => !Path.GetFileName(f).StartsWith('.') && ImageDecoder.IsImageFile(f)).Order(StringComparer.Ordinal)];

    // The images in the bundle's input shape, named by their paths relative to root; labelled when every one has a label.
    private static ExampleSet FromImages((string File, string? Label)[] files, string root, ManifestInput input, StrokeTone strokes)
    {
        var (mode, height, width) = ImageInput(input);
        var shape = input.Shape;
        var preprocessor = input.Preprocessing is null ? null : new Preprocessor(input);
        var size = (int)(shape[0] * height * width);
        var inputs = new float[files.Length * size];
        for (var i = 0; i < files.Length; i++)
        {
            var image = ImageDecoder.Decode(files[i].File);
            var destination = inputs.AsSpan(i * size, size);
            if (preprocessor is not null)
            {
                var format = image.Channels == 1 ? PixelFormat.Gray8 : PixelFormat.Rgba32;
                preprocessor.Preprocess(image.Samples, image.Width, image.Height, format, destination, strokes);
            }
            else
            {
                // No preprocessing to follow: gray levels as decoded, flipped only when asked (--invert).
                var levels = image.ToTensor(mode, height, width);
                for (var v = 0; v < levels.Length; v++)
                {
                    destination[v] = strokes == StrokeTone.Bright ? 1 - levels[v] : levels[v];
                }
            }
        }

        return new ExampleSet(inputs, files.Length, files.Select(f => Path.GetRelativePath(root, f.File)).ToArray(),
            files.All(f => f.Label is not null) ? files.Select(f => f.Label!).ToArray() : null, null);
    }

    private static ExampleSet FromNpz(string path, IReadOnlyList<long> shape)
    {
        using var npz = NpzReader.Open(path);
        if (!npz.Contains("x"))
        {
            throw new ArgumentException($"{path} has no array 'x' (the inputs, [n, {string.Join(", ", shape)}])");
        }

        var x = npz.Read("x");
        // Gray images [n, height, width] without a channel axis, as training on the same .npz takes them (InMemoryDataset).
        var grayWithoutChannel = shape is [1, _, _] && x.Shape.Count == 3 && x.Shape[1] == shape[1] && x.Shape[2] == shape[2];
        if (!grayWithoutChannel && (x.Shape.Count != shape.Count + 1 || !x.Shape.Skip(1).Select(d => (long)d).SequenceEqual(shape)))
        {
            throw new ArgumentException($"{path}: 'x' has shape [{string.Join(", ", x.Shape)}], the bundle needs [n, {string.Join(", ", shape)}]{(shape is [1, _, _] ? $" or [n, {shape[1]}, {shape[2]}]" : "")}");
        }

        var count = x.Shape[0];
        var names = Enumerable.Range(0, count).Select(i => $"#{i}").ToArray();
        if (!npz.Contains("y"))
        {
            return new ExampleSet(x.ToFloat32(), count, names, null, null);
        }

        var y = npz.Read("y");
        if (y.Shape.Count == 0 || y.Shape[0] != count)
        {
            throw new ArgumentException($"{path}: 'y' has shape [{string.Join(", ", y.Shape)}], expected {count} rows like 'x'");
        }

        return y.DType is NpyDType.Float32 or NpyDType.Float64
            ? new ExampleSet(x.ToFloat32(), count, names, null, y.ToFloat32())
            : new ExampleSet(x.ToFloat32(), count, names, y.ToInt64().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null);
    }
}
