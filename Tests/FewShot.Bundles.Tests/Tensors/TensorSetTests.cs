using System.Buffers.Binary;

namespace FewShot.Bundles.Tests.Tensors;

public sealed class TensorSetTests
{
    private static readonly NamedTensor[] Theta =
    [
        new("conv1.weight", [2, 1, 3, 3], [.. Enumerable.Range(0, 18).Select(i => (i * 0.37f) - 3f)]),
        new("conv1.bias", [2], [float.Epsilon, -0f]),
        new("scale", [], [float.MaxValue]),
        new("ünïcode.name", [1, 1], [float.MinValue]),
    ];

    [Fact]
    public void RoundTrip_KeepsNamesShapesOrderAndEveryBit()
    {
        NamedTensor[] read = TensorSet.DecodeFile(TensorSet.EncodeFile(Theta), "parameters.bin");

        Assert.Equal(Theta.Select(t => t.Name), read.Select(t => t.Name));
        for (int i = 0; i < Theta.Length; i++)
        {
            Assert.Equal(Theta[i].Shape, read[i].Shape);
            Assert.Equal(Theta[i].Values.Select(BitConverter.SingleToInt32Bits), read[i].Values.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void EncodedLength_IsWhatWriteWrites()
    {
        using var stream = new MemoryStream();
        TensorSet.Write(stream, Theta);

        Assert.Equal(stream.Length, TensorSet.EncodedLength(Theta));
        Assert.Equal(4, TensorSet.EncodedLength([]));
    }

    [Fact]
    public void Layout_IsTheDocumentedOne()
    {
        byte[] bytes = TensorSet.EncodeFile([new NamedTensor("w", [2], [1f, -2f])]);

        // "FSTENSOR", count 1, name length 1, "w", rank 1, dim 2 (int64), 1f, -2f.
        Assert.Equal("FSTENSOR"u8.ToArray(), bytes[..8]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal((byte)'w', bytes[16]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(17)));
        Assert.Equal(2L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(21)));
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(33)));
        Assert.Equal(37, bytes.Length);
    }

    [Fact]
    public void EveryTruncation_IsRefusedWithAMessage()
    {
        byte[] bytes = TensorSet.EncodeFile(Theta);
        for (int keep = 0; keep < bytes.Length; keep++)
        {
            var error = Assert.Throws<BundleFormatException>(() => TensorSet.DecodeFile(bytes.AsSpan(0, keep), "parameters.bin", "parameters.bin"));
            Assert.Equal("parameters.bin", error.EntryName);
            Assert.StartsWith(keep < 8 ? "parameters.bin is not a FewShot tensor file" : "The parameters.bin ", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TrailingBytes_AreRefused() =>
        Assert.Contains("3 unexpected bytes after its last tensor",
            Assert.Throws<BundleFormatException>(() => TensorSet.DecodeFile([.. TensorSet.EncodeFile(Theta), 1, 2, 3], "parameters.bin")).Message);

    [Theory]
    [InlineData(8, uint.MaxValue, "declares 4294967295 tensors, more than its")]
    [InlineData(12, 1u << 30, "name is 1073741824 bytes long; 1 to 1024 are allowed")]
    [InlineData(12, 0u, "name is 0 bytes long")]
    [InlineData(28, 9u, "has rank 9; at most 8 dimensions are allowed")]
    public void HostileCountsAndLengths_AreRefusedBeforeAllocating(int offset, uint value, string expected)
    {
        byte[] bytes = TensorSet.EncodeFile(Theta);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), value);

        Assert.Contains(expected, Assert.Throws<BundleFormatException>(() => TensorSet.DecodeFile(bytes, "parameters.bin")).Message);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(1L << 40)]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void HostileDimensions_AreRefusedBeforeAllocating(long dimension)
    {
        byte[] bytes = TensorSet.EncodeFile(Theta);

        // The first tensor's first dimension: magic 8, count 4, name length 4, name 12, rank 4.
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(32), dimension);

        Assert.Contains($"'conv1.weight' declares dimension {dimension}",
            Assert.Throws<BundleFormatException>(() => TensorSet.DecodeFile(bytes, "parameters.bin")).Message);
    }

    [Fact]
    public void NaNOrInfinity_IsRefused()
    {
        byte[] bytes = TensorSet.EncodeFile([new NamedTensor("w", [2], [1f, 2f])]);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(33), float.NaN);

        Assert.Contains("'w' holds NaN or infinity", Assert.Throws<BundleFormatException>(() => TensorSet.DecodeFile(bytes, "parameters.bin")).Message);
    }

    [Fact]
    public void InvalidUtf8Name_IsRefused()
    {
        byte[] bytes = TensorSet.EncodeFile([new NamedTensor("w", [1], [1f])]);
        bytes[16] = 0xFF;

        Assert.Contains("tensor 0's name is not valid UTF-8", Assert.Throws<BundleFormatException>(() => TensorSet.DecodeFile(bytes, "parameters.bin")).Message);
    }

    [Fact]
    public void Writing_RefusesValuesThatDoNotMatchTheShape() =>
        Assert.Throws<ArgumentException>(() => TensorSet.EncodeFile([new NamedTensor("w", [2, 2], [1f, 2f, 3f])]));

    [Fact]
    public void ASetInsideALargerFile_EndsWhereItsLastTensorEnds()
    {
        using var stream = new MemoryStream();
        stream.Write([9, 9]);
        TensorSet.Write(stream, Theta);
        stream.Write([7]);
        byte[] bytes = stream.ToArray();

        int position = 2;
        NamedTensor[] read = TensorSet.Read(bytes, ref position, "adapted state");

        Assert.Equal(Theta.Length, read.Length);
        Assert.Equal(bytes.Length - 1, position);
    }
}
