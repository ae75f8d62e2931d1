using System.Buffers.Binary;
using System.Text;

namespace FewShot.Sdk.Tests.Data.NumPy;

/// <summary>Builds .npy files byte by byte, independently of the SDK's writer, including broken ones.</summary>
internal static class NpyBytes
{
    public static byte[] Build(string dict, ReadOnlySpan<byte> data, int major = 1, long? claimedHeaderLength = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(dict + "\n");
        var bytes = new List<byte>();
        bytes.AddRange([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        long length = claimedHeaderLength ?? header.Length;
        if (major == 1)
        {
            var field = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(field, (ushort)length);
            bytes.AddRange(field);
        }
        else
        {
            var field = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(field, (uint)length);
            bytes.AddRange(field);
        }

        bytes.AddRange(header);
        bytes.AddRange(data.ToArray());
        return [.. bytes];
    }

    public static string Dict(string descr, string shape, string fortran = "False") =>
        $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}";

    public static byte[] LittleEndianFloats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}

/// <summary>A stream that reads from bytes but cannot seek, like a zip entry or a network stream.</summary>
internal sealed class ForwardOnlyStream(byte[] bytes) : Stream
{
    private readonly MemoryStream inner = new(bytes);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
