using System.IO.Compression;
using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.NumPy;

public sealed class NpzTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripsArraysByEitherName(bool compress)
    {
        using var temp = new TempDirectory();
        string path = temp.File("a.npz");
        var arrays = new Dictionary<string, NpyArray>
        {
            ["images"] = NpyArray.Create([true, false, false, true], 1, 2, 2),
            ["labels.npy"] = NpyArray.Create([5L], 1),
        };

        NpzWriter.Write(path, arrays, compress);

        using var npz = NpzReader.Open(path);
        Assert.Equal(["images", "labels"], npz.Names);
        Assert.True(npz.Contains("images.npy"));
        Assert.Equal([true, false, false, true], npz.Read("images").AsSpan<bool>().ToArray());
        Assert.Equal([1, 2, 2], npz.Read("images.npy").Shape);
        Assert.Equal([5L], npz.Read("labels").AsSpan<long>().ToArray());
    }

    [Fact]
    public void EntriesAreStoredOrDeflatedAsAsked()
    {
        using var temp = new TempDirectory();
        var arrays = new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(new float[4096], 4096) };
        NpzWriter.Write(temp.File("c.npz"), arrays, compress: true);
        NpzWriter.Write(temp.File("s.npz"), arrays, compress: false);

        using var compressed = ZipFile.OpenRead(temp.File("c.npz"));
        using var stored = ZipFile.OpenRead(temp.File("s.npz"));

        Assert.True(compressed.Entries[0].CompressedLength < 1000);
        Assert.Equal(stored.Entries[0].Length, stored.Entries[0].CompressedLength);
    }

    [Fact]
    public void MissingArrayListsThoseThatExist()
    {
        using var temp = new TempDirectory();
        NpzWriter.Write(temp.File("a.npz"), new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create([1f], 1), ["y"] = NpyArray.Create([1f], 1) });
        using var npz = NpzReader.Open(temp.File("a.npz"));

        var error = Assert.Throws<KeyNotFoundException>(() => npz.Read("images"));

        Assert.Contains("no array named 'images'", error.Message);
        Assert.Contains("x, y", error.Message);
    }

    [Fact]
    public void DuplicateNamesAreRefused()
    {
        using var temp = new TempDirectory();
        var arrays = new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create([1f], 1), ["x.npy"] = NpyArray.Create([1f], 1) };

        Assert.Throws<ArgumentException>(() => NpzWriter.Write(temp.File("a.npz"), arrays));
    }

    [Fact]
    public void NotAZipSaysSo()
    {
        var error = Assert.Throws<InvalidDataException>(() => new NpzReader(new MemoryStream(new byte[100])));

        Assert.Contains("not a valid zip", error.Message);
    }

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.NoCompression)]
    public void TruncatedAndHostileEntriesNameTheArray(CompressionLevel level)
    {
        byte[] truncated = NpyBytes.Build(NpyBytes.Dict("<f4", "(4,)"), NpyBytes.LittleEndianFloats(1, 2));
        byte[] hostile = NpyBytes.Build(NpyBytes.Dict("<f8", "(1000000000,)"), new byte[8]);
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var entry = archive.CreateEntry("short.npy", level).Open())
            {
                entry.Write(truncated);
            }

            using (var entry = archive.CreateEntry("huge.npy", level).Open())
            {
                entry.Write(hostile);
            }
        }

        zip.Position = 0;
        using var npz = new NpzReader(zip);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var shortError = Assert.Throws<InvalidDataException>(() => npz.Read("short"));
        var hugeError = Assert.Throws<InvalidDataException>(() => npz.Read("huge"));

        Assert.Contains("array 'short'", shortError.Message);
        Assert.Contains("truncated", shortError.Message);
        Assert.Contains("array 'huge'", hugeError.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
    }

    [Fact]
    public void OpenEntryStreamsTheRawNpyBytes()
    {
        using var temp = new TempDirectory();
        NpzWriter.Write(temp.File("a.npz"), new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create([1f, 2f, 3f], 3) });
        using var npz = NpzReader.Open(temp.File("a.npz"));

        using var stream = npz.OpenEntry("x");
        var header = NpyReader.ReadHeader(stream);
        var data = new byte[header.DataLength];
        stream.ReadExactly(data);

        Assert.Equal([3], header.Shape);
        Assert.Equal(NpyBytes.LittleEndianFloats(1, 2, 3), data);
    }
}
