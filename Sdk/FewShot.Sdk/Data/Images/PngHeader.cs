using System.Buffers.Binary;

namespace FewShot.Sdk.Data;

/// <summary>The validated contents of a PNG IHDR chunk.</summary>
internal sealed class PngHeader
{
    private PngHeader(int width, int height, int bitDepth, PngColorType colorType)
    {
        Width = width;
        Height = height;
        BitDepth = bitDepth;
        ColorType = colorType;
        SamplesPerPixel = colorType switch
        {
            PngColorType.Grayscale or PngColorType.Palette => 1,
            PngColorType.GrayscaleAlpha => 2,
            PngColorType.Rgb => 3,
            _ => 4,
        };
        BitsPerPixel = SamplesPerPixel * bitDepth;
        Stride = (int)((((long)width * BitsPerPixel) + 7) / 8);
    }

    public int Width { get; }

    public int Height { get; }

    public int BitDepth { get; }

    public PngColorType ColorType { get; }

    /// <summary>Samples per pixel as stored (a palette index counts as one).</summary>
    public int SamplesPerPixel { get; }

    public int BitsPerPixel { get; }

    /// <summary>Bytes per row, without the filter-type byte.</summary>
    public int Stride { get; }

    public static PngHeader Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length != 13)
        {
            throw new InvalidDataException($"PNG IHDR chunk has {body.Length} bytes, expected 13");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(body);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int bitDepth = body[8];
        int colorType = body[9];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
        {
            throw new InvalidDataException($"PNG size {width}×{height} is invalid; each side must be 1 to 2^31−1");
        }

        if ((long)width * height > PngDecoder.MaxPixelCount)
        {
            throw new InvalidDataException($"PNG is {width}×{height} pixels, more than the {PngDecoder.MaxPixelCount} allowed");
        }

        bool valid = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => throw new InvalidDataException($"PNG color type {colorType} is invalid; expected 0, 2, 3, 4 or 6"),
        };
        if (!valid)
        {
            throw new InvalidDataException($"PNG bit depth {bitDepth} is invalid for color type {colorType}");
        }

        if (body[10] != 0 || body[11] != 0)
        {
            throw new InvalidDataException($"PNG compression method {body[10]} / filter method {body[11]} is invalid; expected 0 and 0");
        }

        return body[12] switch
        {
            0 => new PngHeader((int)width, (int)height, bitDepth, (PngColorType)colorType),
            1 => throw new InvalidDataException("PNG is interlaced (Adam7), which is not supported; save it non-interlaced"),
            var method => throw new InvalidDataException($"PNG interlace method {method} is invalid; expected 0"),
        };
    }
}
