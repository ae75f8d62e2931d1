using System.Buffers.Binary;
using System.IO.Compression;
using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Idx;

public sealed class IdxReaderTests
{
    /// <summary>An IDX file of unsigned bytes with the given header fields.</summary>
    private static byte[] Idx(int[] shape, byte[] values, byte type = 0x08, int? rank = null)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)(rank ?? shape.Length) };
        foreach (var d in shape)
        {
            var dimension = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(dimension, d);
            bytes.AddRange(dimension);
        }

        bytes.AddRange(values);
        return [.. bytes];
    }

    private static InvalidDataException Fails(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(bytes), "test.idx"));

    [Fact]
    public void ReadsShapeAndValuesRowMajor()
    {
        var array = IdxReader.Read(new MemoryStream(Idx([2, 3], [1, 2, 3, 4, 5, 255])));

        Assert.Equal([2, 3], array.Shape);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 255 }, array.Values);
    }

    [Fact]
    public void ReadsGzippedFilesByTheirExtension()
    {
        using var folder = new TempDirectory();
        var path = folder.File("labels-idx1-ubyte.gz");
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(Idx([4], [9, 8, 7, 6]));
        }

        var array = IdxReader.Read(path);

        Assert.Equal([4], array.Shape);
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, array.Values);
    }

    [Fact]
    public void RejectsBadMagicAndOtherTypes()
    {
        Assert.Contains("not an IDX file", Fails([0x1f, 0x8b, 8, 1, 0, 0, 0, 1, 0]).Message);
        Assert.Contains("type 0x0d is not supported", Fails(Idx([1], [0, 0, 0, 0], type: 0x0d)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(13)]
    public void RejectsTruncatedFilesNamingThem(int length)
    {
        var file = Idx([2, 7], new byte[14]);

        var error = Fails(file[..length]);

        Assert.Contains("truncated", error.Message);
        Assert.StartsWith("test.idx", error.Message);
    }

    [Fact]
    public void RejectsTrailingBytes() => Assert.Contains("trailing bytes", Fails([.. Idx([2], [1, 2]), 3]).Message);

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void RejectsDimensionCountsOutOfRange(int rank) =>
        Assert.Contains($"declares {rank} dimensions", Fails(Idx(Enumerable.Repeat(1, rank).ToArray(), [1], rank: rank)).Message);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void RejectsNonPositiveDimensions(int size) => Assert.Contains("must be positive", Fails(Idx([3, size], [])).Message);

    [Fact]
    public void AHostileShapeIsRefusedBeforeAnythingLargeIsAllocated()
    {
        Assert.Contains("more than", Fails(Idx([int.MaxValue, int.MaxValue], [])).Message);

        // A plausible but unfulfilled shape (512 MiB) over a few bytes: refused as truncated, having grown only with what arrived.
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("truncated", Fails(Idx([1 << 29], [1, 2, 3])).Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, "the reader allocated more than 8 MiB for a 3-byte body");
    }

    [Fact]
    public void AMissingFileSaysWhichOne()
    {
        var error = Assert.Throws<FileNotFoundException>(() => IdxReader.Read("/nonexistent/train-images-idx3-ubyte.gz"));

        Assert.Contains("/nonexistent/train-images-idx3-ubyte.gz", error.Message);
    }

    [Fact]
    public void ADamagedGzipNamesTheFile()
    {
        using var folder = new TempDirectory();
        var path = folder.File("broken.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
    }
}
