using System.IO.Compression;
using FewShot.Sdk.Data;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Data.Idx;

/// <summary>Fashion-MNIST as Debian's dataset-fashion-mnist package installs it (build/install-test-deps.sh installs the package).</summary>
public sealed class FashionMnistTests
{
    [Fact]
    public void SplitsTheTenClassesFiveAndFiveWithEveryImageInZeroToOne()
    {
        var splits = FashionMnist.Load(RepoPaths.FashionMnist);

        Assert.Equal(5, splits.Train.ClassCount);
        Assert.Equal(5, splits.Test.ClassCount);
        Assert.Equal(["t-shirt-top", "trouser", "pullover", "dress", "coat"], Enumerable.Range(0, 5).Select(splits.Train.GetClassName));
        Assert.Equal(["sandal", "shirt", "sneaker", "bag", "ankle-boot"], Enumerable.Range(0, 5).Select(splits.Test.GetClassName));
        Assert.All(Enumerable.Range(0, 5), c => Assert.Equal(6000, splits.Train.GetExampleCount(c)));
        Assert.All(Enumerable.Range(0, 5), c => Assert.Equal(1000, splits.Test.GetExampleCount(c)));
        Assert.Equal([1, 28, 28], splits.Train.ExampleShape);

        var image = new float[28 * 28];
        splits.Test.CopyExample(4, 17, image);
        Assert.All(image, v => Assert.InRange(v, 0f, 1f));
        Assert.True(image.Max() > 0.5f && image[0] < 0.1f, "an ankle boot is bright on a dark background");
    }

    [Fact]
    public void AFolderWithoutTheFilesNamesTheDebianPackage()
    {
        using var folder = new TempDirectory();

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(folder.Path));

        Assert.Contains("dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void AFileReplacedAtTheSamePathIsReadAgain()
    {
        using var folder = new TempDirectory();
        foreach (string kind in new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
        {
            File.Copy(Path.Combine(RepoPaths.FashionMnist, kind), folder.File(kind));
        }

        var before = FashionMnist.LoadFile(folder.Path, test: true);
        Assert.Same(before, FashionMnist.LoadFile(folder.Path, test: true));
        Assert.Equal(1000, before.GetExampleCount(0));

        // The same images, every one labelled a T-shirt.
        string labels = folder.File("t10k-labels-idx1-ubyte.gz");
        byte[] idx;
        using (var gzip = new GZipStream(File.OpenRead(labels), CompressionMode.Decompress))
        using (var bytes = new MemoryStream())
        {
            gzip.CopyTo(bytes);
            idx = bytes.ToArray();
        }

        Array.Clear(idx, 8, idx.Length - 8);
        using (var gzip = new GZipStream(File.Create(labels), CompressionLevel.Fastest))
        {
            gzip.Write(idx);
        }

        var after = FashionMnist.LoadFile(folder.Path, test: true);

        Assert.Equal(10000, after.GetExampleCount(0));
        Assert.Equal(1000, before.GetExampleCount(0));
    }
}
