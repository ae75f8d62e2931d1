using FewShot.Sdk.Data;
using FewShot.Sdk.Tests.Data.Images;
using SkiaSharp;

namespace FewShot.Sdk.Tests.Data.Datasets;

public sealed class ImageFolderTests
{
    [Fact]
    public void LoadsClassesSortedByFolderNameAndResizesEveryImage()
    {
        using var temp = new TempDirectory();
        TestImages.Write(Path.Combine(temp.Path, "zeta", "1.png"), 2, 2, 1, [255, 255, 255, 255]);
        TestImages.Write(Path.Combine(temp.Path, "alpha", "b.PNG"), 4, 4, 3, new byte[48]);
        TestImages.Write(Path.Combine(temp.Path, "alpha", "a.jpg"), 1, 1, 3, [255, 255, 255], SKEncodedImageFormat.Jpeg);
        File.WriteAllText(Path.Combine(temp.Path, "alpha", "notes.txt"), "ignored");
        Directory.CreateDirectory(Path.Combine(temp.Path, ".cache"));

        var dataset = ImageFolder.Load(temp.Path, new ImageFolderOptions { Height = 2, Width = 3 });
        var example = new float[6];

        Assert.Equal(2, dataset.ClassCount);
        Assert.Equal(["alpha", "zeta"], new[] { dataset.GetClassName(0), dataset.GetClassName(1) });
        Assert.Equal([1, 2, 3], dataset.ExampleShape);
        Assert.Equal(2, dataset.GetExampleCount(0));
        dataset.CopyExample(0, 0, example);
        Assert.All(example, v => Assert.Equal(1f, v, 6));
        dataset.CopyExample(0, 1, example);
        Assert.All(example, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ImagesInSubFoldersOfAClassAreTheClassesAndHiddenFilesAreNot()
    {
        using var temp = new TempDirectory();
        TestImages.Write(Path.Combine(temp.Path, "cat", "a.png"), 1, 1, 1, [255]);
        TestImages.Write(Path.Combine(temp.Path, "cat", "session2", "b.png"), 1, 1, 1, [0]);
        TestImages.Write(Path.Combine(temp.Path, "cat", "session2", "deeper", "c.png"), 1, 1, 1, [0]);
        File.WriteAllText(Path.Combine(temp.Path, "cat", "._a.png"), "a macOS resource fork, not a PNG");
        TestImages.Write(Path.Combine(temp.Path, "cat", ".thumbnails", "t.png"), 1, 1, 1, [0]);

        var dataset = ImageFolder.Load(temp.Path, new ImageFolderOptions { Height = 1, Width = 1 });

        Assert.Equal(1, dataset.ClassCount);
        Assert.Equal(3, dataset.GetExampleCount(0));
        Assert.Equal(3, ImageFolder.ImagesRead(temp.Path).Count());
    }

    [Fact]
    public void RgbModeGivesThreePlanesAndReportsProgress()
    {
        using var temp = new TempDirectory();
        TestImages.Write(Path.Combine(temp.Path, "c", "x.png"), 1, 1, 4, [255, 0, 51, 255]);
        var reports = new List<int>();

        var dataset = ImageFolder.Load(temp.Path, new ImageFolderOptions { Height = 1, Width = 1, ColorMode = ImageColorMode.Rgb }, new SynchronousProgress(reports));
        var example = new float[3];
        dataset.CopyExample(0, 0, example);

        Assert.Equal([3, 1, 1], dataset.ExampleShape);
        Assert.Equal([1f, 0f, 0.2f], example);
        Assert.Equal([1], reports);
    }

    [Fact]
    public void ReportsMissingEmptyAndCorruptFolders()
    {
        using var temp = new TempDirectory();

        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Load(temp.File("missing")));
        Assert.Contains("no class folders", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(temp.Path)).Message);
        Directory.CreateDirectory(temp.File("empty"));
        Assert.Contains("no .png, .jpg or .jpeg files", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(temp.Path)).Message);
        File.WriteAllBytes(Path.Combine(temp.Path, "empty", "broken.png"), [0x89, 0x50]);
        Assert.Contains("broken.png", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(temp.Path)).Message);
    }

    [Fact]
    public void FormatsNameWhatTheFolderHolds()
    {
        using var temp = new TempDirectory();
        TestImages.Write(Path.Combine(temp.Path, "a", "1.jpg"), 1, 1, 1, [0], SKEncodedImageFormat.Jpeg);
        TestImages.Write(Path.Combine(temp.Path, "b", "2.JPEG"), 1, 1, 1, [0], SKEncodedImageFormat.Jpeg);
        TestImages.Write(Path.Combine(temp.Path, ".cache", "thumb.png"), 1, 1, 1, [0]);

        Assert.Equal(["JPEG"], ImageFolder.Formats(temp.Path));
        TestImages.Write(Path.Combine(temp.Path, "b", "3.png"), 1, 1, 1, [0]);
        Assert.Equal(["PNG", "JPEG"], ImageFolder.Formats(temp.Path));
        Assert.Empty(ImageFolder.Formats(temp.File("missing")));
    }

    [Fact]
    public void HonoursCancellation()
    {
        using var temp = new TempDirectory();
        TestImages.Write(Path.Combine(temp.Path, "c", "x.png"), 1, 1, 1, [0]);

        Assert.Throws<OperationCanceledException>(() => ImageFolder.Load(temp.Path, cancellationToken: new CancellationToken(canceled: true)));
    }

    private sealed class SynchronousProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value) => reports.Add(value);
    }
}
