using System.Buffers.Binary;
using System.IO.Compression;

namespace FewShot.Sdk.Data;

/// <summary>
/// Reads IDX files (LeCun's format of MNIST and Fashion-MNIST), plain or gzip-compressed as they are distributed:
/// two zero bytes, a type code, a dimension count, one big-endian int32 per dimension, then the values. Only
/// unsigned bytes (type 0x08) are supported, which is what the image and label files hold. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Every malformed input raises <see cref="InvalidDataException"/> naming the problem: bad magic, another type, no
/// or too many dimensions, a non-positive dimension, a size beyond <see cref="MaxValues"/>, data shorter than the
/// header says (truncated) or longer (trailing bytes). A hostile header cannot make the reader allocate more than the
/// input actually holds: the buffer grows only as bytes arrive.
/// </remarks>
public static class IdxReader
{
    /// <summary>The largest array accepted, in values (1 GiB).</summary>
    public const long MaxValues = 1L << 30;

    /// <summary>The most dimensions accepted.</summary>
    public const int MaxDimensions = 8;

    private const byte UnsignedByte = 0x08;
    private const int Chunk = 1 << 20;

    /// <summary>Reads the IDX file at <paramref name="path"/>, gunzipping it when its name ends in ".gz".</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid unsigned-byte IDX array (or not valid gzip).</exception>
    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file {path} does not exist", path);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                return Read(gzip, path);
            }

            return Read(file, path);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream's own errors (a damaged or truncated archive) do not say which file.
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads one IDX array from <paramref name="stream"/> to its end; the stream is not disposed.</summary>
    /// <param name="stream">The (uncompressed) IDX bytes.</param>
    /// <param name="name">What to call the input in error messages, e.g. its path.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid unsigned-byte IDX array.</exception>
    public static IdxArray Read(Stream stream, string name = "IDX data")
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> magic = stackalloc byte[4];
        if (ReadFully(stream, magic) < 4)
        {
            throw new InvalidDataException($"{name}: truncated: fewer than the 4 bytes of the IDX magic");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException($"{name}: not an IDX file: it starts with 0x{magic[0]:x2} 0x{magic[1]:x2}, expected 0x00 0x00");
        }

        if (magic[2] != UnsignedByte)
        {
            throw new InvalidDataException($"{name}: IDX type 0x{magic[2]:x2} is not supported; only unsigned bytes (0x08) are");
        }

        int rank = magic[3];
        if (rank is < 1 or > MaxDimensions)
        {
            throw new InvalidDataException($"{name}: IDX header declares {rank} dimensions; expected 1 to {MaxDimensions}");
        }

        var shape = new int[rank];
        Span<byte> dimension = stackalloc byte[4];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            if (ReadFully(stream, dimension) < 4)
            {
                throw new InvalidDataException($"{name}: truncated: the header ends inside dimension {d} of {rank}");
            }

            shape[d] = BinaryPrimitives.ReadInt32BigEndian(dimension);
            if (shape[d] <= 0)
            {
                throw new InvalidDataException($"{name}: dimension {d} is {shape[d]}; every dimension must be positive");
            }

            count *= shape[d];
            if (count > MaxValues)
            {
                throw new InvalidDataException($"{name}: the shape [{string.Join(", ", shape.Take(d + 1))}, …] holds more than {MaxValues} values");
            }
        }

        return new IdxArray(shape, ReadValues(stream, (int)count, shape, name));
    }

    private static byte[] ReadValues(Stream stream, int count, int[] shape, string name)
    {
        // Grow as bytes arrive, so that a header claiming a huge shape over a short file allocates little.
        var values = new byte[Math.Min(count, Chunk)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == values.Length)
            {
                Array.Resize(ref values, (int)Math.Min(count, 2L * values.Length));
            }

            int read = stream.Read(values, filled, values.Length - filled);
            if (read == 0)
            {
                throw new InvalidDataException($"{name}: truncated: the shape [{string.Join(", ", shape)}] needs {count} bytes of data, found {filled}");
            }

            filled += read;
        }

        if (stream.ReadByte() >= 0)
        {
            throw new InvalidDataException($"{name}: trailing bytes after the {count} values of shape [{string.Join(", ", shape)}]");
        }

        return values;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = stream.Read(buffer[filled..]);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
