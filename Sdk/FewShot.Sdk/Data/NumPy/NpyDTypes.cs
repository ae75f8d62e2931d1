namespace FewShot.Sdk.Data;

/// <summary>Descr strings, element sizes and .NET element types of <see cref="NpyDType"/>.</summary>
internal static class NpyDTypes
{
    /// <summary>What the reader accepts, for error messages.</summary>
    public const string Supported = "|b1, |u1, <i4, <i8, <f4, <f8 (and the big-endian >i4, >i8, >f4, >f8)";

    public static int ItemSize(NpyDType dtype) => dtype switch
    {
        NpyDType.Bool or NpyDType.UInt8 => 1,
        NpyDType.Int32 or NpyDType.Float32 => 4,
        NpyDType.Int64 or NpyDType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown NpyDType"),
    };

    /// <summary>The little-endian descr that the writer puts in headers.</summary>
    public static string Descr(NpyDType dtype) => dtype switch
    {
        NpyDType.Bool => "|b1",
        NpyDType.UInt8 => "|u1",
        NpyDType.Int32 => "<i4",
        NpyDType.Int64 => "<i8",
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown NpyDType"),
    };

    public static Type ElementType(NpyDType dtype) => dtype switch
    {
        NpyDType.Bool => typeof(bool),
        NpyDType.UInt8 => typeof(byte),
        NpyDType.Int32 => typeof(int),
        NpyDType.Int64 => typeof(long),
        NpyDType.Float32 => typeof(float),
        NpyDType.Float64 => typeof(double),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown NpyDType"),
    };

    /// <summary>
    /// Parses a descr such as <c>&lt;f4</c>. Byte order '=' means the machine's own; '|' ("not applicable")
    /// is only valid for one-byte types, as NumPy writes it.
    /// </summary>
    public static bool TryParse(string descr, out NpyDType dtype, out bool bigEndian)
    {
        dtype = default;
        bigEndian = false;
        if (descr.Length != 3)
        {
            return false;
        }

        char order = descr[0];
        if (order is not ('<' or '>' or '|' or '='))
        {
            return false;
        }

        switch (descr.AsSpan(1))
        {
            case "b1": dtype = NpyDType.Bool; break;
            case "u1": dtype = NpyDType.UInt8; break;
            case "i4": dtype = NpyDType.Int32; break;
            case "i8": dtype = NpyDType.Int64; break;
            case "f4": dtype = NpyDType.Float32; break;
            case "f8": dtype = NpyDType.Float64; break;
            default: return false;
        }

        if (ItemSize(dtype) > 1 && order == '|')
        {
            return false;
        }

        bigEndian = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        return true;
    }
}
