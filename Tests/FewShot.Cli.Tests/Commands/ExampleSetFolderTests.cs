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
        Assert.Equal(x, ExampleSet.Load(npz, Input, StrokeTone.Bright).Inputs);
        Assert.Equal(x.Select(v => 1 - v), ExampleSet.Load(npz, Input, invert: true).Inputs);
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
