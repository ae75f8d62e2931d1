using System.Text.Json;
using FewShot.Tests.Shared;
using SkiaSharp;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary><c>fewshot adapt</c> on folders of PNG and JPEG images, decoded through SkiaSharp.</summary>
// In-process meta-training on libtorch, whose trainer runs a meta-batch's tasks side by side inside a .NET
// no-collection region: other test classes' allocations in the same process could end that region mid-call (SerialCollection).
[Collection(SerialCollection.Name)]
public sealed class AdaptImageFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-images-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A 40×40 gray image: black paper with a white vertical or horizontal bar.</summary>
    private static void WriteBar(string path, bool vertical, int offset, SKEncodedImageFormat format)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(40, 40, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White })
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawRect(vertical ? new SKRect(14 + offset, 4, 24 + offset, 36) : new SKRect(4, 14 + offset, 36, 24 + offset), paint);
        }

        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void AdaptsFromPngAndJpegFoldersAndNamesABrokenFile()
    {
        var run = Path.Combine(_folder, "proto");
        var bundle = Path.Combine(_folder, "proto.fewshot");
        var train = Run("train", "--algorithm", "protonet", "--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "paper",
            "--ways", "2", "--shots", "1", "--queries", "2", "--iterations", "3", "--channels", "8", "--out", run);
        Assert.True(train.Exit == 0, train.Error);
        var export = Run("export", "--run", run, "--out", bundle, "--episodes", "0");
        Assert.True(export.Exit == 0, export.Error);
        var (support, query) = (Path.Combine(_folder, "support"), Path.Combine(_folder, "query"));
        WriteBar(Path.Combine(support, "vertical", "a.png"), vertical: true, 0, SKEncodedImageFormat.Png);
        WriteBar(Path.Combine(support, "horizontal", "a.PNG"), vertical: false, 0, SKEncodedImageFormat.Png);
        WriteBar(Path.Combine(query, "vertical", "b.jpg"), vertical: true, 3, SKEncodedImageFormat.Jpeg);
        WriteBar(Path.Combine(query, "horizontal", "b.JPEG"), vertical: false, -3, SKEncodedImageFormat.Jpeg);

        var adapt = Run("adapt", "--model", bundle, "--support", support, "--query", query, "--json");

        Assert.True(adapt.Exit == 0, adapt.Error);
        using var json = JsonDocument.Parse(adapt.Output);
        Assert.Equal(2, json.RootElement.GetProperty("predictions").GetArrayLength());
        Assert.Equal(["horizontal", "vertical"], json.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()).Order());

        var jpeg = File.ReadAllBytes(Path.Combine(query, "vertical", "b.jpg"));
        File.WriteAllBytes(Path.Combine(query, "vertical", "c.jpg"), jpeg[..(jpeg.Length / 2)]);
        var broken = Run("adapt", "--model", bundle, "--support", support, "--query", query, "--json");

        Assert.Equal(1, broken.Exit);
        Assert.StartsWith("error: ", broken.Error);
        Assert.Contains("c.jpg", broken.Error);
    }
}
