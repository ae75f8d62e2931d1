using System.Buffers.Binary;
using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.NumPy;

public sealed class NpyReaderTests
{
    private static NpyArray Read(byte[] bytes) => NpyReader.Read(new MemoryStream(bytes));

    [Fact]
    public void ReadsLittleEndianFloat32InCOrder()
    {
        byte[] file = NpyBytes.Build(NpyBytes.Dict("<f4", "(2, 3)"), NpyBytes.LittleEndianFloats(1, 2, 3, 4, 5, -6.5f));

        var array = Read(file);

        Assert.Equal(NpyDType.Float32, array.DType);
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, -6.5f], array.AsSpan<float>().ToArray());
    }

    [Fact]
    public void ReadsEverySupportedLittleEndianDType()
    {
        var f8 = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(f8, Math.PI);
        BinaryPrimitives.WriteDoubleLittleEndian(f8.AsSpan(8), -1e300);
        var i8 = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(i8, long.MinValue);
        BinaryPrimitives.WriteInt64LittleEndian(i8.AsSpan(8), 1234567890123);
        var i4 = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(i4, -7);
        BinaryPrimitives.WriteInt32LittleEndian(i4.AsSpan(4), int.MaxValue);

        Assert.Equal([Math.PI, -1e300], Read(NpyBytes.Build(NpyBytes.Dict("<f8", "(2,)"), f8)).AsSpan<double>().ToArray());
        Assert.Equal([long.MinValue, 1234567890123], Read(NpyBytes.Build(NpyBytes.Dict("<i8", "(2,)"), i8)).AsSpan<long>().ToArray());
        Assert.Equal([-7, int.MaxValue], Read(NpyBytes.Build(NpyBytes.Dict("<i4", "(2,)"), i4)).AsSpan<int>().ToArray());
        Assert.Equal([0, 200, 255], Read(NpyBytes.Build(NpyBytes.Dict("|u1", "(3,)"), [0, 200, 255])).AsSpan<byte>().ToArray());
    }

    [Fact]
    public void ReadsBoolsAndTreatsAnyNonZeroByteAsTrue()
    {
        // NumPy writes 1; the shared Omniglot archives store true as 0xFF.
        var array = Read(NpyBytes.Build(NpyBytes.Dict("|b1", "(4,)"), [0, 1, 0xFF, 0]));

        Assert.Equal(NpyDType.Bool, array.DType);
        Assert.Equal([false, true, true, false], array.AsSpan<bool>().ToArray());
        Assert.True(array.AsSpan<bool>()[2] == true);
        Assert.Equal([0f, 1f, 1f, 0f], array.ToFloat32());
    }

    [Theory]
    [InlineData(">f4")]
    [InlineData(">f8")]
    [InlineData(">i4")]
    [InlineData(">i8")]
    public void ConvertsBigEndianToNative(string descr)
    {
        int size = descr[2] - '0';
        var data = new byte[2 * size];
        if (descr == ">f4")
        {
            BinaryPrimitives.WriteSingleBigEndian(data, 1.5f);
            BinaryPrimitives.WriteSingleBigEndian(data.AsSpan(4), -3f);
        }
        else if (descr == ">f8")
        {
            BinaryPrimitives.WriteDoubleBigEndian(data, 1.5);
            BinaryPrimitives.WriteDoubleBigEndian(data.AsSpan(8), -3);
        }
        else if (descr == ">i4")
        {
            BinaryPrimitives.WriteInt32BigEndian(data, 1);
            BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), -3);
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(data, 1);
            BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(8), -3);
        }

        var array = Read(NpyBytes.Build(NpyBytes.Dict(descr, "(2,)"), data));

        float[] expected = descr[1] == 'f' ? [1.5f, -3f] : [1f, -3f];
        Assert.Equal(expected, array.ToFloat32());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsVersion2And3Headers(int major)
    {
        var array = Read(NpyBytes.Build(NpyBytes.Dict("<f4", "(1, 2)"), NpyBytes.LittleEndianFloats(7, 8), major));

        Assert.Equal([7f, 8f], array.ToFloat32());
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")]
    [InlineData("{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}")]
    [InlineData("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}")]
    [InlineData("{ 'descr' : '=f4' ,\t'fortran_order' : False , 'shape' : ( 2 , ) }   ")]
    public void AcceptsTheHeaderSpellingsNumPyAccepts(string dict)
    {
        var array = Read(NpyBytes.Build(dict, NpyBytes.LittleEndianFloats(1, 2)));

        Assert.Equal([2], array.Shape);
    }

    [Fact]
    public void ReadsScalarsAndEmptyArrays()
    {
        var scalar = Read(NpyBytes.Build(NpyBytes.Dict("<f4", "()"), NpyBytes.LittleEndianFloats(42)));
        var empty = Read(NpyBytes.Build(NpyBytes.Dict("<f4", "(0, 5)"), []));

        Assert.Empty(scalar.Shape);
        Assert.Equal([42f], scalar.ToFloat32());
        Assert.Equal([0, 5], empty.Shape);
        Assert.Equal(0, empty.Length);
    }

    [Fact]
    public void ReadsFromForwardOnlyStreamsAndLeavesTheStreamAfterTheData()
    {
        byte[] one = NpyBytes.Build(NpyBytes.Dict("<f4", "(2,)"), NpyBytes.LittleEndianFloats(1, 2));
        byte[] two = NpyBytes.Build(NpyBytes.Dict("<f4", "(1,)"), NpyBytes.LittleEndianFloats(3));
        using var stream = new ForwardOnlyStream([.. one, .. two]);

        Assert.Equal([1f, 2f], NpyReader.Read(stream).ToFloat32());
        Assert.Equal([3f], NpyReader.Read(stream).ToFloat32());
    }

    [Fact]
    public void ReadHeaderStopsAtTheFirstDataByte()
    {
        byte[] file = NpyBytes.Build(NpyBytes.Dict(">i8", "(3, 4)"), new byte[96]);
        using var stream = new MemoryStream(file);

        var header = NpyReader.ReadHeader(stream);

        Assert.Equal(NpyDType.Int64, header.DType);
        Assert.True(header.IsBigEndian);
        Assert.Equal([3, 4], header.Shape);
        Assert.Equal(12, header.ElementCount);
        Assert.Equal(96, header.DataLength);
        Assert.Equal(file.Length - 96, stream.Position);
    }

    [Fact]
    public void AsSpanRefusesTheWrongElementType()
    {
        var array = Read(NpyBytes.Build(NpyBytes.Dict("<f4", "(1,)"), NpyBytes.LittleEndianFloats(1)));

        var error = Assert.Throws<InvalidOperationException>(() => array.AsSpan<double>().ToArray());
        Assert.Contains("Float32", error.Message);
    }
}
