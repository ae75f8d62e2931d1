using System.Buffers.Binary;
using System.Text;

namespace FewShot.Sdk.Data;

/// <summary>
/// The parsed header of an .npy array: element type, byte order and C-order shape. Immutable.
/// </summary>
/// <remarks>
/// A header is only constructed once it has been validated: the dtype is supported, the array is in C order,
/// and the shape's element count fits in one .NET array. Whether the data that follows is complete is checked
/// by <see cref="NpyReader"/> when it reads the data.
/// </remarks>
public sealed class NpyHeader
{
    /// <summary>The longest header dict, in bytes, that the reader accepts (NumPy itself writes under 200).</summary>
    public const int MaxHeaderLength = 65_536;

    /// <summary>The most axes an array may have, NumPy's own limit (NPY_MAXDIMS).</summary>
    public const int MaxRank = 64;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private readonly int[] shape;

    private NpyHeader(NpyDType dtype, int[] shape, bool isBigEndian, int elementCount)
    {
        DType = dtype;
        this.shape = shape;
        IsBigEndian = isBigEndian;
        ElementCount = elementCount;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The shape in C (row-major) order; empty for a zero-dimensional (scalar) array.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>Whether the file stores multi-byte elements big-endian; the reader converts them.</summary>
    public bool IsBigEndian { get; }

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public int ElementCount { get; }

    /// <summary>The number of data bytes that follow the header.</summary>
    public long DataLength => (long)ElementCount * NpyDTypes.ItemSize(DType);

    /// <summary>The bytes from the magic to the first data byte, when the header was read from a stream.</summary>
    internal long HeaderLength { get; private init; }

    /// <summary>Reads and validates the header at the stream's position, leaving the stream at the first data byte.</summary>
    internal static NpyHeader Read(Stream stream)
    {
        Span<byte> preamble = stackalloc byte[12];
        int got = stream.ReadAtLeast(preamble[..8], 8, throwOnEndOfStream: false);
        if (got < 8)
        {
            throw new InvalidDataException($"npy data is truncated: {got} bytes, but the magic and version alone take 8");
        }

        if (!preamble[..6].SequenceEqual(Magic))
        {
            string hint = preamble[..4].SequenceEqual("PK\x03\x04"u8) ? " (this is a zip archive; read .npz files with NpzReader)" : "";
            throw new InvalidDataException(
                $"not an .npy file: bad magic {Convert.ToHexString(preamble[..6])}, expected 934E554D5059 (\\x93NUMPY){hint}");
        }

        int major = preamble[6];
        int minor = preamble[7];
        int lengthBytes = (major, minor) switch
        {
            (1, 0) => 2,
            (2, 0) or (3, 0) => 4,
            _ => throw new InvalidDataException($"unsupported npy format version {major}.{minor}; expected 1.0, 2.0 or 3.0"),
        };

        got = stream.ReadAtLeast(preamble.Slice(8, lengthBytes), lengthBytes, throwOnEndOfStream: false);
        if (got < lengthBytes)
        {
            throw new InvalidDataException($"npy data is truncated inside the header length field (version {major}.0)");
        }

        long headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(preamble.Slice(8, 2))
            : BinaryPrimitives.ReadUInt32LittleEndian(preamble.Slice(8, 4));
        if (headerLength > MaxHeaderLength)
        {
            throw new InvalidDataException($"npy header claims {headerLength} bytes, more than the {MaxHeaderLength} allowed");
        }

        var headerBytes = new byte[headerLength];
        got = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        if (got < headerBytes.Length)
        {
            throw new InvalidDataException($"npy data is truncated: the header claims {headerLength} bytes but only {got} follow");
        }

        // Versions 1 and 2 store the dict in latin-1; version 3 allows UTF-8 (for unicode field names).
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var header = Parse(text);
        return new NpyHeader(header.DType, header.shape, header.IsBigEndian, header.ElementCount)
        {
            HeaderLength = 8 + lengthBytes + headerLength,
        };
    }

    /// <summary>Validates the header dict text (NumPy's padding and final newline included).</summary>
    internal static NpyHeader Parse(string text)
    {
        var dict = NpyHeaderLiteral.Parse(text);
        foreach (string key in dict.Keys)
        {
            if (key is not ("descr" or "fortran_order" or "shape"))
            {
                throw new InvalidDataException($"npy header has unexpected key '{key}'; expected exactly descr, fortran_order and shape");
            }
        }

        string descr = Require<string>(dict, "descr", "a string such as '<f4'");
        bool fortranOrder = Require<bool>(dict, "fortran_order", "True or False");
        long[] dims = Require<long[]>(dict, "shape", "a tuple of integers");

        if (!NpyDTypes.TryParse(descr, out var dtype, out bool bigEndian))
        {
            throw new InvalidDataException($"unsupported npy dtype '{descr}'; expected one of {NpyDTypes.Supported}");
        }

        if (fortranOrder)
        {
            throw new InvalidDataException(
                "npy array is in Fortran (column-major) order, which is not supported; save it in C order (numpy.ascontiguousarray)");
        }

        if (dims.Length > MaxRank)
        {
            throw new InvalidDataException($"npy shape has {dims.Length} axes, more than NumPy's {MaxRank}");
        }

        var shape = new int[dims.Length];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new InvalidDataException($"npy shape {FormatShape(dims)} has negative dimension {dims[i]} at axis {i}");
            }

            if (dims[i] > Array.MaxLength)
            {
                throw new InvalidDataException(
                    $"npy shape {FormatShape(dims)} has dimension {dims[i]} at axis {i}, more than the {Array.MaxLength} elements a .NET array holds");
            }

            shape[i] = (int)dims[i];

            // Both factors are at most Array.MaxLength (< 2^31), so the product cannot overflow a long.
            count = Math.Min(count * dims[i], (long)Array.MaxLength + 1);
        }

        if (count > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"npy shape {FormatShape(dims)} has more than the {Array.MaxLength} elements a .NET array holds");
        }

        return new NpyHeader(dtype, shape, bigEndian && NpyDTypes.ItemSize(dtype) > 1, (int)count);
    }

    /// <summary>
    /// Formats a version 1.0 header as NumPy writes it: the dict padded with spaces and a final newline so that
    /// the data starts at a multiple of 64 bytes. With at most <see cref="MaxRank"/> axes it always fits version 1.0.
    /// </summary>
    internal static byte[] Format(NpyDType dtype, ReadOnlySpan<int> shape)
    {
        if (shape.Length > MaxRank)
        {
            throw new ArgumentException($"shape has {shape.Length} axes; NumPy arrays have at most {MaxRank}", nameof(shape));
        }

        string dims = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape.ToArray()) + ")",
        };
        string dict = $"{{'descr': '{NpyDTypes.Descr(dtype)}', 'fortran_order': False, 'shape': {dims}, }}";

        const int Prefix = 10;
        int padded = RoundUp(Prefix + dict.Length + 1, 64) - Prefix;
        var bytes = new byte[Prefix + padded];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)padded);
        var body = bytes.AsSpan(Prefix);
        body.Fill((byte)' ');
        Encoding.ASCII.GetBytes(dict, body);
        body[^1] = (byte)'\n';
        return bytes;
    }

    private static T Require<T>(Dictionary<string, object> dict, string key, string expected)
    {
        if (!dict.TryGetValue(key, out object? value))
        {
            throw new InvalidDataException($"npy header has no '{key}' key; expected {expected}");
        }

        return value is T typed
            ? typed
            : throw new InvalidDataException($"npy header '{key}' has the wrong type; expected {expected}");
    }

    private static string FormatShape(long[] dims) => "(" + string.Join(", ", dims) + ")";

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
