using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace FewShot.Bundles;

/// <summary>
/// The one encoding of named float32 tensors in FewShot's files: a bundle's parameters.bin (θ₀) and the tensors of an
/// adapted-state file. Little-endian: uint32 tensor count, then per tensor uint32 name length + UTF-8 name, uint32
/// rank, int64 dimensions, float32 values. A file (parameters.bin) is the magic "FSTENSOR" followed by one set and
/// nothing else. Integrity is the container's business: parameters.bin is hash-checked through the manifest's files,
/// adapted states carry their own SHA-256. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Reading never trusts a declared size: every count, length and element total is checked against the bytes that
/// remain before anything is allocated, so hostile input fails with a message instead of exhausting memory.
/// </remarks>
public static class TensorSet
{
    /// <summary>The most dimensions a tensor may have (the manifest's limit).</summary>
    public const int MaxRank = 8;

    /// <summary>The longest tensor name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 1024;

    private static readonly byte[] Magic = "FSTENSOR"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes one set to <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">A tensor's values do not match its shape, or its name is empty or too long.</exception>
    public static void Write(Stream destination, IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tensors);
        RequireLittleEndian();
        Span<byte> scratch = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)tensors.Count);
        destination.Write(scratch[..4]);
        foreach (NamedTensor tensor in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            byte[] name = Encoding.UTF8.GetBytes(tensor.Name ?? string.Empty);
            if (name.Length is 0 or > MaxNameBytes || tensor.Shape.Length > MaxRank || tensor.Shape.Any(d => d <= 0)
                || tensor.Shape.Aggregate(1L, (p, d) => checked(p * d)) != tensor.Values.Length)
            {
                throw new ArgumentException(
                    $"tensor '{tensor.Name}' cannot be encoded: a name of 1 to {MaxNameBytes} bytes, at most {MaxRank} positive dimensions and one value per element are required (shape [{string.Join(", ", tensor.Shape)}], {Counted.Of(tensor.Values.Length, "value", "values")})",
                    nameof(tensors));
            }

            BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)name.Length);
            destination.Write(scratch[..4]);
            destination.Write(name);
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, (uint)tensor.Shape.Length);
            destination.Write(scratch[..4]);
            foreach (long d in tensor.Shape)
            {
                BinaryPrimitives.WriteInt64LittleEndian(scratch, d);
                destination.Write(scratch);
            }

            destination.Write(MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
        }
    }

    /// <summary>How many bytes <see cref="Write"/> writes for <paramref name="tensors"/>, so that a caller can size its buffer once.</summary>
    public static long EncodedLength(IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        long length = 4;
        foreach (NamedTensor tensor in tensors)
        {
            length += 4 + Encoding.UTF8.GetByteCount(tensor.Name ?? string.Empty) + 4 + (8L * tensor.Shape.Length) + (4L * tensor.Values.Length);
        }

        return length;
    }

    /// <summary>Reads one set starting at <paramref name="position"/>, which moves past it.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="position">Where the set starts; on return, where it ended.</param>
    /// <param name="what">What the bytes are, for messages, e.g. "parameters.bin" or "adapted state".</param>
    /// <param name="entryName">The bundle entry for <see cref="BundleFormatException.EntryName"/>, or null.</param>
    /// <returns>Fresh tensors owned by the caller, in stored order.</returns>
    /// <exception cref="BundleFormatException">The bytes end early or declare impossible sizes, a name is not UTF-8, or a value is NaN or infinite.</exception>
    public static NamedTensor[] Read(ReadOnlySpan<byte> data, ref int position, string what, string? entryName = null)
    {
        RequireLittleEndian();
        var reader = new Reader(data, position, what, entryName);
        uint count = reader.UInt32("tensor count");

        // The smallest tensor takes 13 bytes (name length, a one-byte name, rank), so a larger count cannot be honest.
        if (count > (uint)(reader.Remaining / 13))
        {
            throw reader.Fail($"declares {Counted.Of(count, "tensor", "tensors")}, more than its {Counted.Of(reader.Remaining, "remaining byte", "remaining bytes")} can hold");
        }

        var tensors = new NamedTensor[count];
        for (int t = 0; t < tensors.Length; t++)
        {
            uint nameLength = reader.UInt32($"tensor {t}'s name length");
            if (nameLength is 0 or > MaxNameBytes)
            {
                throw reader.Fail($"tensor {t}'s name is {Counted.Of(nameLength, "byte", "bytes")} long; 1 to {MaxNameBytes} are allowed");
            }

            string name;
            try
            {
                name = StrictUtf8.GetString(reader.Bytes((int)nameLength, $"tensor {t}'s name"));
            }
            catch (DecoderFallbackException e)
            {
                throw reader.Fail($"tensor {t}'s name is not valid UTF-8", e);
            }

            uint rank = reader.UInt32($"'{name}' rank");
            if (rank > MaxRank)
            {
                throw reader.Fail($"'{name}' has rank {rank}; at most {MaxRank} dimensions are allowed");
            }

            var shape = new long[rank];
            long elements = 1;
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = reader.Int64($"'{name}' dimensions");
                if (shape[d] <= 0 || shape[d] > int.MaxValue || (elements *= shape[d]) > reader.Remaining / sizeof(float))
                {
                    throw reader.Fail($"'{name}' declares dimension {shape[d]} (shape so far [{string.Join(", ", shape[..(d + 1)])}]), more values than its {reader.Remaining} remaining bytes can hold");
                }
            }

            var values = new float[elements];
            MemoryMarshal.Cast<byte, float>(reader.Bytes(checked((int)elements * sizeof(float)), $"'{name}' values")).CopyTo(values);
            if (!values.AsSpan().ContainsAnyExceptInRange(float.MinValue, float.MaxValue))
            {
                tensors[t] = new NamedTensor(name, shape, values);
                continue;
            }

            throw reader.Fail($"'{name}' holds NaN or infinity");
        }

        position = reader.Position;
        return tensors;
    }

    /// <summary>A whole file: the magic, then one set.</summary>
    public static byte[] EncodeFile(IReadOnlyList<NamedTensor> tensors)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        Write(buffer, tensors);
        return buffer.ToArray();
    }

    /// <summary>Reads a whole file: the magic, one set, and nothing after it.</summary>
    /// <exception cref="BundleFormatException">The bytes are not such a file; the message says why.</exception>
    public static NamedTensor[] DecodeFile(ReadOnlySpan<byte> data, string what, string? entryName = null)
    {
        if (data.Length < Magic.Length || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new BundleFormatException(entryName, $"{what} is not a FewShot tensor file: it does not start with \"FSTENSOR\" ({Counted.Of(data.Length, "byte", "bytes")})");
        }

        int position = Magic.Length;
        NamedTensor[] tensors = Read(data, ref position, what, entryName);
        if (position != data.Length)
        {
            throw new BundleFormatException(entryName, $"{what} has {data.Length - position} unexpected bytes after its last tensor");
        }

        return tensors;
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("FewShot's tensor files are little-endian; big-endian hosts are not supported.");
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data, int position, string what, string? entry)
    {
        private readonly ReadOnlySpan<byte> _data = data;

        public int Position { get; private set; } = position;

        public readonly int Remaining => _data.Length - Position;

        public uint UInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, field));

        public long Int64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, field));

        public ReadOnlySpan<byte> Bytes(int count, string field)
        {
            if (count < 0 || count > Remaining)
            {
                throw Fail($"ends inside {field} (needs {count} more bytes at offset {Position}, has {Remaining})");
            }

            ReadOnlySpan<byte> slice = _data.Slice(Position, count);
            Position += count;
            return slice;
        }

        public readonly BundleFormatException Fail(string problem, Exception? inner = null) => new(entry, $"The {what} {problem}.", inner);
    }
}
