using System.Text;
using FewShot.Bundles;
using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.NumPy;

public sealed class NpyWriterTests
{
    private static NpyArray RoundTrip(NpyArray array)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, array);
        stream.Position = 0;
        return NpyReader.Read(stream);
    }

    [Fact]
    public void WritesTheSameHeaderAsNumPy()
    {
        using var stream = new MemoryStream();

        NpyWriter.Write(stream, NpyArray.Create(new float[6], 2, 3));

        byte[] bytes = stream.ToArray();
        string header = Encoding.ASCII.GetString(bytes, 10, 118);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        Assert.Equal(118, BitConverter.ToUInt16(bytes, 8));
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" + new string(' ', 58) + "\n", header);
        Assert.Equal(128 + 24, bytes.Length);
    }

    [Fact]
    public void RoundTripsEveryDType()
    {
        Assert.Equal([1.5f, -2, float.MaxValue, float.Epsilon], RoundTrip(NpyArray.Create([1.5f, -2, float.MaxValue, float.Epsilon], 2, 2)).AsSpan<float>().ToArray());
        Assert.Equal([Math.E, double.MinValue], RoundTrip(NpyArray.Create([Math.E, double.MinValue], 2)).AsSpan<double>().ToArray());
        Assert.Equal([long.MaxValue, -1], RoundTrip(NpyArray.Create([long.MaxValue, -1L], 2, 1)).AsSpan<long>().ToArray());
        Assert.Equal([int.MinValue, 3], RoundTrip(NpyArray.Create([int.MinValue, 3], 1, 2)).AsSpan<int>().ToArray());
        Assert.Equal([0, 255], RoundTrip(NpyArray.Create(new byte[] { 0, 255 }, 2)).AsSpan<byte>().ToArray());
        Assert.Equal([true, false, true], RoundTrip(NpyArray.Create([true, false, true], 3)).AsSpan<bool>().ToArray());
    }

    [Fact]
    public void RoundTripsScalarsEmptyArraysAndShapes()
    {
        var scalar = RoundTrip(NpyArray.Create([7f]));
        var empty = RoundTrip(NpyArray.Create(Array.Empty<long>(), 3, 0, 2));
        var deep = RoundTrip(NpyArray.Create(new double[24], 1, 2, 3, 4));

        Assert.Empty(scalar.Shape);
        Assert.Equal([7f], scalar.ToFloat32());
        Assert.Equal([3, 0, 2], empty.Shape);
        Assert.Equal([1, 2, 3, 4], deep.Shape);
    }

    [Fact]
    public void DataStartsOnA64ByteBoundaryForAnyShape()
    {
        foreach (int[] shape in new[] { new[] { 1 }, [123456, 0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0] })
        {
            using var stream = new MemoryStream();
            NpyWriter.Write(stream, NpyArray.Create(new float[shape.Aggregate(1, (a, b) => a * b)], shape));
            stream.Position = 0;
            NpyReader.ReadHeader(stream);

            Assert.Equal(0, stream.Position % 64);
        }
    }

    [Fact]
    public void WritesFilesAtomicallyAndOverwrites()
    {
        using var temp = new TempDirectory();
        string path = temp.File("x.npy");
        NpyWriter.Write(path, NpyArray.Create([1f, 2f], 2));

        NpyWriter.Write(path, NpyArray.Create([3L], 1));

        Assert.Equal([3L], NpyReader.Read(path).AsSpan<long>().ToArray());
        Assert.Equal(["x.npy"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File("x.npy");
        NpyWriter.Write(path, NpyArray.Create([1f], 1));

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(1);
            throw new IOException("disk full");
        }));

        Assert.Equal([1f], NpyReader.Read(path).ToFloat32());
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void WritingIntoAMissingDirectorySaysSo()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.npy");

        var error = Assert.Throws<DirectoryNotFoundException>(() => NpyWriter.Write(path, NpyArray.Create([1f], 1)));

        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void CreateChecksTheShapeAgainstTheData()
    {
        var error = Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[5], 2, 3));

        Assert.Contains("holds 6 elements but the data has 5", error.Message);
    }

    [Fact]
    public void ConversionsReturnFreshCopies()
    {
        var array = NpyArray.Create([1L, -2L], 2);

        float[] floats = array.ToFloat32();
        floats[0] = 99;

        Assert.Equal([1.0, -2.0], array.ToFloat64());
        Assert.Equal([1L, -2L], array.ToInt64());
        Assert.Throws<InvalidOperationException>(() => NpyArray.Create([0.5f], 1).ToInt64());
    }
}
