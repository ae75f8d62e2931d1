using System.Buffers.Binary;
using System.Text;

namespace FewShot.Runtime.Bundles;

/// <summary>Reads little-endian fields from an adapted-state buffer, failing with a clear error instead of reading past its end.</summary>
internal ref struct StateReader(ReadOnlySpan<byte> data)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _data = data;

    /// <summary>Bytes read so far.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _data.Length - Position;

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public ReadOnlySpan<byte> ReadBytes(int count, string field) => Take(count, field);

    /// <summary>A length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public string ReadString(int maxBytes, string field)
    {
        uint length = ReadUInt32(field);
        if (length > maxBytes)
        {
            throw new InvalidAdaptedStateException($"The adapted state's {field} is {Counted.Of(length, "byte", "bytes")} long; at most {maxBytes} are allowed.");
        }

        try
        {
            return StrictUtf8.GetString(Take((int)length, field));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidAdaptedStateException($"The adapted state's {field} is not valid UTF-8.", e);
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw new InvalidAdaptedStateException($"The adapted state ends inside its {field} (needs {count} more bytes at offset {Position}, has {Remaining}).");
        }

        ReadOnlySpan<byte> slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }
}
