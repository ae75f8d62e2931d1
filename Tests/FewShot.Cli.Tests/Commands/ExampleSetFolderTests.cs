using FewShot.Cli.Commands;
using SkiaSharp;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// How <c>fewshot adapt</c> and <c>predict</c> read a folder of images: hidden folders that tools leave behind
/// (.ipynb_checkpoints, .thumbnails) are no classes, as training's image folders skip them.
/// </summary>
public sealed class ExampleSetFolderTests : IDisposable
{
    private static readonly long[] Shape = [1, 28, 28];
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

        var set = ExampleSet.Load(_folder, Shape, invert: false);

        Assert.Equal(2, set.Count);
        Assert.Equal(["bar", "ring"], set.Labels);
    }

    [Fact]
    public void LooseImagesBesideAHiddenFolderAreRead()
    {
        WritePng(Path.Combine(_folder, "a.png"));
        WritePng(Path.Combine(_folder, "b.png"));
        Directory.CreateDirectory(Path.Combine(_folder, ".thumbnails"));

        var set = ExampleSet.Load(_folder, Shape, invert: false);

        Assert.Equal(2, set.Count);
        Assert.Null(set.Labels);
        Assert.Equal(["a.png", "b.png"], set.Names);
    }
}
