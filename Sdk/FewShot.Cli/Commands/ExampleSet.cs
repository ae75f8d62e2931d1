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
    /// files (no labels), or an .npz with "x" [n, …shape] (gray images also [n, height, width])
    /// and optionally "y" (int labels, or float targets for regression).
    /// </summary>
    /// <param name="path">The folder or .npz file.</param>
    /// <param name="shape">One example's shape from the bundle: [channels, height, width], or [features].</param>
    /// <param name="invert">Replace every value v by 1 − v (dark-on-light images for bundles trained on light-on-dark data).</param>
    public static ExampleSet Load(string path, IReadOnlyList<long> shape, bool invert)
    {
        var set = Directory.Exists(path) ? FromFolder(path, shape)
            : File.Exists(path) && path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase) ? FromNpz(path, shape)
            : throw new ArgumentException($"'{path}' is neither a folder of images nor an .npz file");
        if (invert)
        {
            for (var i = 0; i < set.Inputs.Length; i++)
            {
                set.Inputs[i] = 1 - set.Inputs[i];
            }
        }

        return set;
    }

    private static ExampleSet FromFolder(string path, IReadOnlyList<long> shape)
    {
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
        var (height, width) = ((int)shape[1], (int)shape[2]);
        // Hidden folders (.ipynb_checkpoints, .thumbnails) are no classes, as training's ImageFolder skips them too.
        var classes = Directory.GetDirectories(path).Where(c => !Path.GetFileName(c).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        var files = classes.Length > 0
            ? classes.SelectMany(c => Images(c).Select(f => (File: f, Label: (string?)Path.GetFileName(c)))).ToArray()
            : Images(path).Select(f => (File: f, Label: (string?)null)).ToArray();
        if (files.Length == 0)
        {
            throw new ArgumentException($"{path} holds no .png, .jpg or .jpeg files (expected <folder>/<class>/*.png or <folder>/*.png)");
        }

        var size = (int)(shape[0] * height * width);
        var inputs = new float[files.Length * size];
        for (var i = 0; i < files.Length; i++)
        {
            ImageDecoder.Decode(files[i].File).ToTensor(mode, height, width).CopyTo(inputs, i * size);
        }

        return new ExampleSet(inputs, files.Length, files.Select(f => Path.GetRelativePath(path, f.File)).ToArray(),
            classes.Length > 0 ? files.Select(f => f.Label!).ToArray() : null, null);
    }

    private static IEnumerable<string> Images(string folder) =>
        Directory.EnumerateFiles(folder).Where(ImageDecoder.IsImageFile).Order(StringComparer.Ordinal);

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
