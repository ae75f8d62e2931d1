using FewShot.Bundles;
using FewShot.Cli.Commands;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Data;
using SkiaSharp;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// How <c>fewshot adapt</c> and <c>predict</c> read a folder of images: hidden folders that tools leave behind
/// (.ipynb_checkpoints, .thumbnails) are no classes, as training's image folders skip them.
/// </summary>
public sealed class ExampleSetFolderTests : IDisposable
{
    private static readonly ManifestInput Input = new()
    {
        Shape = [1, 28, 28],
        Normalization = new ManifestNormalization { Text = "Omniglot" },
        Preprocessing = ManifestPreprocessing.Omniglot,
    };
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-example-set-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void WritePng(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void AHiddenFolderIsNotAClass()
    {
        WritePng(Path.Combine(_folder, "bar", "a.png"));
        WritePng(Path.Combine(_folder, "ring", "a.png"));
        WritePng(Path.Combine(_folder, ".ipynb_checkpoints", "a-checkpoint.png"));

        var set = ExampleSet.Load(_folder, Input);

        Assert.Equal(2, set.Count);
        Assert.Equal(["bar", "ring"], set.Labels);
    }

    [Fact]
    public void AClassFolderWithoutImagesIsRefusedByName()
    {
        // Before, the class was dropped: a support set of bar and an empty ring adapted to one class without a word.
        WritePng(Path.Combine(_folder, "bar", "a.png"));
        Directory.CreateDirectory(Path.Combine(_folder, "ring"));
        File.WriteAllText(Path.Combine(_folder, "ring", "notes.txt"), "photos to come");

        var error = Assert.Throws<ArgumentException>(() => ExampleSet.Load(_folder, Input));

        Assert.Contains($"class folder {Path.Combine(_folder, "ring")} holds no .png, .jpg or .jpeg files", error.Message);
    }

    [Fact]
    public void LooseImagesBesideClassFoldersAreRefusedByName_NotDropped()
    {
        // Before, a query folder of loose images and one class folder predicted the class folder's image alone.
        WritePng(Path.Combine(_folder, "ring", "a.png"));
        WritePng(Path.Combine(_folder, "new-1.png"));
        WritePng(Path.Combine(_folder, "new-2.PNG"));
        WritePng(Path.Combine(_folder, "._new-1.png")); // macOS's companion file: hidden, as everywhere
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "not an image");

        var error = Assert.Throws<ArgumentException>(() => ExampleSet.Load(_folder, Input));

        Assert.Contains($"{_folder} holds both class folders and 2 images beside them (new-1.png, new-2.PNG)", error.Message);
    }

    [Fact]
    public void LooseImagesBesideAHiddenFolderAreRead()
    {
        WritePng(Path.Combine(_folder, "a.png"));
        WritePng(Path.Combine(_folder, "b.png"));
        Directory.CreateDirectory(Path.Combine(_folder, ".thumbnails"));

        var set = ExampleSet.Load(_folder, Input);

        Assert.Equal(2, set.Count);
        Assert.Null(set.Labels);
        Assert.Equal(["a.png", "b.png"], set.Names);
    }

    [Fact]
    public void NpzArraysAreTakenAsGiven_AndInvertFlipsThem()
    {
        var npz = Path.Combine(_folder, "x.npz");
        float[] x = [.. Enumerable.Range(0, 28 * 28).Select(i => i % 3 / 2f)];
        NpzWriter.Write(npz, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, 1, 1, 28, 28) });

        Assert.Equal(x, ExampleSet.Load(npz, Input).Inputs);
        Assert.Equal(x.Select(v => 1 - v), ExampleSet.Load(npz, Input, invert: true).Inputs);
    }

    [Theory]
    [InlineData(StrokeTone.Dark)]
    [InlineData(StrokeTone.Bright)]
    public void AStrokeToneForAnNpzIsRefused(StrokeTone tone)
    {
        // Before, it was dropped without a word: a dark-on-light .npz with --strokes dark adapted as if bright.
        var npz = Path.Combine(_folder, "x.npz");
        NpzWriter.Write(npz, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(new float[28 * 28], 1, 1, 28, 28) });

        var error = Assert.Throws<ArgumentException>(() => ExampleSet.Load(npz, Input, tone));

        Assert.Contains($"--strokes {tone.ToString().ToLowerInvariant()} has no effect on {npz}: an .npz holds the bundle's inputs as arrays, taken as given", error.Message);
    }

    [Fact]
    public void OneImageFileIsOneUnlabelledExample_AsInAFolder()
    {
        WritePng(Path.Combine(_folder, "a.png"));
        File.WriteAllBytes(Path.Combine(_folder, "b.jpg"), Jpeg());
        var folder = ExampleSet.Load(_folder, Input, StrokeTone.Dark);

        var png = ExampleSet.Load(Path.Combine(_folder, "a.png"), Input, StrokeTone.Dark);
        var jpeg = ExampleSet.Load(Path.Combine(_folder, "b.jpg"), Input, StrokeTone.Dark);

        Assert.Equal(1, png.Count);
        Assert.Equal(["a.png"], png.Names);
        Assert.Null(png.Labels);
        Assert.Equal(folder.Inputs[..(28 * 28)], png.Inputs);
        Assert.Equal(["b.jpg"], jpeg.Names);
        Assert.Equal(folder.Inputs[(28 * 28)..], jpeg.Inputs);
    }

    [Fact]
    public void AFileNeitherImageNorNpzIsRefusedSayingWhatIsRead()
    {
        var text = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(text, "queries to come");

        var error = Assert.Throws<ArgumentException>(() => ExampleSet.Load(text, Input));

        Assert.Equal($"'{text}' is neither a folder of images, an image (.png, .jpg, .jpeg) nor an .npz file", error.Message);
    }

    private static byte[] Jpeg()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var ink = new SKPaint { Color = SKColors.Black };
            canvas.DrawRect(8, 8, 12, 12, ink);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    [Fact]
    public void ImagesOfABundleWithoutPreprocessing_AreGrayLevels_InvertFlipsThem()
    {
        WritePng(Path.Combine(_folder, "a.png"));
        var unknown = Input with { Preprocessing = null };

        Assert.All(ExampleSet.Load(_folder, unknown).Inputs, v => Assert.Equal(1f, v));
        Assert.All(ExampleSet.Load(_folder, unknown, invert: true).Inputs, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ImagesOfAStrokeBundle_BlankPaperIsZero_WhateverTheTone()
    {
        WritePng(Path.Combine(_folder, "a.png"));

        Assert.All(ExampleSet.Load(_folder, Input).Inputs, v => Assert.Equal(0f, v));
        Assert.All(ExampleSet.Load(_folder, Input, invert: true).Inputs, v => Assert.Equal(0f, v));
        Assert.Equal(StrokeTone.Dark, ExampleSet.InvertedTone(Input));
        Assert.Equal(StrokeTone.Bright, ExampleSet.InvertedTone(Input with { Preprocessing = ManifestPreprocessing.Omniglot with { Bright = BrightPart.Background } }));
    }
}
