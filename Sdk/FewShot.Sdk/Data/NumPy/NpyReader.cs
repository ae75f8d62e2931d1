using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FewShot.Sdk.Data;

/// <summary>
/// Reads NumPy .npy arrays (format versions 1.0, 2.0 and 3.0; C order; the dtypes of <see cref="NpyDType"/>,
/// little- or big-endian). Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Every malformed input raises <see cref="InvalidDataException"/> naming the problem: bad magic, an unsupported
/// version or dtype, Fortran order, a malformed, oversized or hostile header, or data shorter than the header's
/// shape requires. A hostile shape cannot make the reader allocate more than the input holds: on a seekable
/// stream the remaining length is checked first; on any other stream the buffer grows only as bytes arrive.
/// </remarks>
public static class NpyReader
{
    // Growth starts here for streams of unknown length, so that a lying header costs at most twice what was read.
    private const int InitialChunkBytes = 1 << 20;

    private const int MaxPieceBytes = 1 << 30;

    /// <summary>Reads the .npy file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid, supported .npy array.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream);
    }

    /// <summary>
    /// Reads one .npy array starting at the stream's position; the stream is left after the array's last
    /// data byte and is not disposed.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is not a valid, supported .npy array.</exception>
    public static NpyArray Read(Stream stream) => Read(stream, declaredLength: null);

    /// <summary>
    /// Reads and validates only the header, leaving the stream at the first data byte, so that large arrays can
    /// be consumed in pieces: the data is <see cref="NpyHeader.DataLength"/> bytes in C order, each element
    /// stored in the byte order that <see cref="NpyHeader.IsBigEndian"/> states.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is not a valid, supported .npy header.</exception>
    public static NpyHeader ReadHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return NpyHeader.Read(stream);
    }

    /// <summary>
    /// Reads an array from a stream whose total length may be known from elsewhere (a zip entry's declared size):
    /// a declared length that is too short is reported before anything is allocated.
    /// </summary>
    internal static NpyArray Read(Stream stream, long? declaredLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = NpyHeader.Read(stream);

        // A zip entry's stream cannot seek, but its declared size already tells whether the data can be complete.
        long? available = stream.CanSeek ? stream.Length - stream.Position : declaredLength - header.HeaderLength;
        if (available is long left && left < header.DataLength)
        {
            throw Truncated(header, Math.Max(0, left));
        }

        Array data = header.DType switch
        {
            NpyDType.Bool => ReadBools(stream, header),
            NpyDType.UInt8 => ReadElements<byte>(stream, header),
            NpyDType.Int32 => ReadElements<int>(stream, header),
            NpyDType.Int64 => ReadElements<long>(stream, header),
            NpyDType.Float32 => ReadElements<float>(stream, header),
            NpyDType.Float64 => ReadElements<double>(stream, header),
            _ => throw new InvalidDataException($"unsupported npy dtype {header.DType}"),
        };
        return NpyArray.FromReader(data, header.DType, header.Shape);
    }

    private static bool[] ReadBools(Stream stream, NpyHeader header)
    {
        bool[] values = ReadElements<bool>(stream, header);

        // NumPy writes 1 for true, but other writers use 0xFF; .NET needs canonical bools for == to hold.
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = bytes[i] != 0 ? (byte)1 : (byte)0;
        }

        return values;
    }

    private static T[] ReadElements<T>(Stream stream, NpyHeader header)
        where T : unmanaged
    {
        int count = header.ElementCount;
        int size = NpyDTypes.ItemSize(header.DType);
        T[] values = stream.CanSeek ? new T[count] : new T[Math.Min(count, InitialChunkBytes / size)];
        long filled = 0;
        while (filled < header.DataLength)
        {
            int element = (int)(filled / size);
            if (element == values.Length)
            {
                Array.Resize(ref values, (int)Math.Min(count, 2L * values.Length));
            }

            // Byte views are taken a piece at a time: a whole int64 array may exceed the 2 GiB a span can address.
            int piece = Math.Min(values.Length - element, MaxPieceBytes / size);
            Span<byte> free = MemoryMarshal.AsBytes(values.AsSpan(element, piece))[(int)(filled % size)..];
            int read = stream.Read(free);
            if (read == 0)
            {
                throw Truncated(header, filled);
            }

            filled += read;
        }

        if (header.IsBigEndian)
        {
            SwapBytes(values.AsSpan(), size);
        }

        return values;
    }

    private static void SwapBytes<T>(Span<T> values, int size)
        where T : unmanaged
    {
        if (size == 4)
        {
            var words = MemoryMarshal.Cast<T, uint>(values);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        else if (size == 8)
        {
            var words = MemoryMarshal.Cast<T, ulong>(values);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    private static InvalidDataException Truncated(NpyHeader header, long available) =>
        new($"npy data is truncated: shape ({string.Join(", ", header.Shape)}) of {header.DType} needs {header.DataLength} data bytes but only {available} are present");
}
