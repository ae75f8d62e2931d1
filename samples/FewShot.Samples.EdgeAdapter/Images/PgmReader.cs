using System.Text;

namespace FewShot.Samples.EdgeAdapter.Images;

/// <summary>
/// Reads binary PGM images (Netpbm "P5") with a maximum gray value of 255: the raw frame format many embedded
/// cameras emit. Strict: anything else is rejected with an <see cref="InvalidDataException"/> naming the problem.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// The header is "P5", width, height and maxval as ASCII decimals separated by whitespace, with '#' comments
/// allowed up to the end of their line, then exactly one whitespace byte, then width × height bytes. Plain
/// (ASCII, "P2") PGM and 16-bit (maxval above 255) images are not accepted.
/// </remarks>
public static class PgmReader
{
    /// <summary>The largest width or height accepted, in pixels; bigger headers are treated as corrupt.</summary>
    public const int MaxSide = 1 << 14;

    /// <summary>Reads the PGM file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an 8-bit binary PGM; the message names the file and the problem.</exception>
    public static PgmImage Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] data = File.ReadAllBytes(path);
        try
        {
            return Parse(data);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    /// <summary>Parses a whole PGM file held in memory.</summary>
    /// <exception cref="InvalidDataException">The data is not an 8-bit binary PGM; the message names the problem.</exception>
    public static PgmImage Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data[0] != (byte)'P' || data[1] != (byte)'5')
        {
            string found = data.Length < 2 ? Counted.Of(data.Length, "byte", "bytes") : $"'{Printable(data[..2])}'";
            throw new InvalidDataException($"not a binary PGM image: it starts with {found}, expected the magic number 'P5'.");
        }

        int position = 2;
        int width = ReadHeaderNumber(data, ref position, "width");
        int height = ReadHeaderNumber(data, ref position, "height");
        int maxValue = ReadHeaderNumber(data, ref position, "maxval");
        if (width is < 1 or > MaxSide || height is < 1 or > MaxSide)
        {
            throw new InvalidDataException($"the header gives a {width}×{height} image; width and height must be 1 to {MaxSide}.");
        }

        if (maxValue != 255)
        {
            throw new InvalidDataException($"maxval is {maxValue}; only 8-bit images with maxval 255 are supported.");
        }

        if (position >= data.Length || !IsWhitespace(data[position]))
        {
            throw new InvalidDataException("the header must end with one whitespace byte after maxval, before the pixels.");
        }

        position++;
        long expected = (long)width * height;
        long available = data.Length - position;
        if (available != expected)
        {
            string problem = available < expected ? "truncated" : "followed by extra data";
            throw new InvalidDataException($"pixel data {problem}: a {width}×{height} image needs {Counted.Of(expected, "byte", "bytes")} after the header, but {available} {(available == 1 ? "is" : "are")} there.");
        }

        return new PgmImage(width, height, data[position..].ToArray());
    }

    private static int ReadHeaderNumber(ReadOnlySpan<byte> data, ref int position, string field)
    {
        bool separated = false;
        while (position < data.Length && (IsWhitespace(data[position]) || data[position] == (byte)'#'))
        {
            separated = true;
            if (data[position] == (byte)'#')
            {
                while (position < data.Length && data[position] != (byte)'\n' && data[position] != (byte)'\r')
                {
                    position++;
                }
            }
            else
            {
                position++;
            }
        }

        if (position >= data.Length)
        {
            throw new InvalidDataException($"the header ends before its {field}.");
        }

        if (!separated || !char.IsAsciiDigit((char)data[position]))
        {
            throw new InvalidDataException($"bad header: expected whitespace and then the {field} as a decimal number at byte {position}, found '{Printable(data.Slice(position, 1))}'.");
        }

        long value = 0;
        while (position < data.Length && char.IsAsciiDigit((char)data[position]))
        {
            value = (value * 10) + (data[position] - (byte)'0');
            if (value > int.MaxValue)
            {
                throw new InvalidDataException($"bad header: the {field} is too large.");
            }

            position++;
        }

        return (int)value;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : $"\\x{b:X2}");
        }

        return text.ToString();
    }
}
