using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace FewShot.Sdk.Data;

/// <summary>
/// Decodes non-interlaced PNG images of every standard color type and bit depth: gray (1, 2, 4, 8, 16 bits),
/// gray with alpha, RGB and RGBA (8, 16 bits) and palette (1, 2, 4, 8 bits). Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Every chunk's CRC is checked. Problems raise <see cref="InvalidDataException"/> naming what was wrong: a bad
/// signature, a truncated file, a bad CRC, an interlaced image, an invalid color type or bit depth, an unknown
/// critical chunk, a corrupt zlib stream or filter byte. Ancillary chunks are skipped, and tRNS is only honoured
/// for palette images. Hostile sizes are refused before allocation: at most <see cref="MaxPixelCount"/> pixels,
/// and no more image data than the compressed data could possibly inflate to.
/// </remarks>
public static class PngDecoder
{
    /// <summary>The most pixels an image may have (8192 × 8192).</summary>
    public const long MaxPixelCount = 1L << 26;

    // Deflate cannot expand data by more than about 1032:1, so smaller IDAT data cannot be a whole image.
    private const long MaxInflateRatio = 1032;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Decodes the PNG file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid, supported PNG; the message names the file.</exception>
    public static PngImage Decode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Decode(bytes);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Decodes a whole PNG file held in memory.</summary>
    /// <exception cref="InvalidDataException">The data is not a valid, supported PNG.</exception>
    public static PngImage Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < Signature.Length || !data[..Signature.Length].SequenceEqual(Signature))
        {
            throw new InvalidDataException(
                $"not a PNG: bad signature {Convert.ToHexString(data[..Math.Min(8, data.Length)])}, expected 89504E470D0A1A0A");
        }

        PngHeader? header = null;
        byte[]? palette = null;
        byte[]? transparency = null;
        var compressed = new MemoryStream();
        int position = Signature.Length;
        while (true)
        {
            if (data.Length - position < 12)
            {
                throw new InvalidDataException($"PNG is truncated: {data.Length - position} bytes at offset {position}, where a chunk of at least 12 or the IEND chunk should be");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[position..]);
            var typeBytes = data.Slice(position + 4, 4);
            string type = Encoding.ASCII.GetString(typeBytes);
            foreach (byte b in typeBytes)
            {
                if (!char.IsAsciiLetter((char)b))
                {
                    throw new InvalidDataException($"PNG chunk at offset {position} has invalid type {Convert.ToHexString(typeBytes)}");
                }
            }

            if (length > int.MaxValue || length > data.Length - position - 12)
            {
                throw new InvalidDataException(
                    $"PNG is truncated: chunk '{type}' at offset {position} claims {length} bytes but {data.Length - position - 12} remain");
            }

            var body = data.Slice(position + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(position + 8 + (int)length)..]);
            uint computed = PngCrc32.Compute(data.Slice(position + 4, (int)length + 4));
            if (stored != computed)
            {
                throw new InvalidDataException($"PNG chunk '{type}' at offset {position} has a bad CRC: stored {stored:X8}, computed {computed:X8}");
            }

            if (header is null && type != "IHDR")
            {
                throw new InvalidDataException($"PNG's first chunk is '{type}', expected IHDR");
            }

            switch (type)
            {
                case "IHDR" when header is null:
                    header = PngHeader.Parse(body);
                    break;
                case "IHDR":
                    throw new InvalidDataException($"PNG has a second IHDR chunk at offset {position}");
                case "PLTE":
                    palette = ParsePalette(body);
                    break;
                case "tRNS":
                    transparency = body.ToArray();
                    break;
                case "IDAT":
                    compressed.Write(body);
                    break;
                case "IEND":
                    return DecodeImage(header!, compressed.ToArray(), palette, transparency);
                default:
                    // Bit 5 of the first letter (lower case) marks a chunk as ancillary, safe to skip.
                    if ((typeBytes[0] & 0x20) == 0)
                    {
                        throw new InvalidDataException($"PNG has critical chunk '{type}', which this decoder does not know");
                    }

                    break;
            }

            position += 12 + (int)length;
        }
    }

    private static byte[] ParsePalette(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0 || body.Length % 3 != 0 || body.Length > 3 * 256)
        {
            throw new InvalidDataException($"PNG PLTE chunk has {body.Length} bytes; expected 3 per entry, 1 to 256 entries");
        }

        return body.ToArray();
    }

    private static PngImage DecodeImage(PngHeader header, byte[] compressed, byte[]? palette, byte[]? transparency)
    {
        if (compressed.Length == 0)
        {
            throw new InvalidDataException("PNG has no IDAT chunk, so no image data");
        }

        if (header.ColorType == PngColorType.Palette && palette is null)
        {
            throw new InvalidDataException("PNG has color type 3 (palette) but no PLTE chunk");
        }

        long rawLength = (long)header.Height * (header.Stride + 1);
        if (rawLength > (compressed.Length * MaxInflateRatio) + 1024)
        {
            throw new InvalidDataException(
                $"PNG image data is truncated or corrupt: {compressed.Length} compressed bytes cannot hold the {rawLength} bytes of a {header.Width}×{header.Height} image");
        }

        var raw = new byte[rawLength];
        int got;
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            got = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"PNG image data is not a valid zlib stream: {ex.Message}", ex);
        }

        if (got < raw.Length)
        {
            throw new InvalidDataException(
                $"PNG image data is truncated: it inflates to {got} bytes, but a {header.Width}×{header.Height} image needs {raw.Length}");
        }

        PngScanlines.Unfilter(raw, header.Height, header.Stride, Math.Max(1, header.BitsPerPixel / 8));
        return header.ColorType == PngColorType.Palette
            ? ExpandPalette(header, raw, palette!, transparency)
            : Unpack(header, raw);
    }

    private static PngImage Unpack(PngHeader header, byte[] raw)
    {
        int channels = header.SamplesPerPixel;
        int rowSamples = header.Width * channels;
        var samples = new ushort[(long)header.Height * rowSamples];
        for (int y = 0; y < header.Height; y++)
        {
            var row = raw.AsSpan((y * (header.Stride + 1)) + 1, header.Stride);
            var destination = samples.AsSpan(y * rowSamples, rowSamples);
            for (int i = 0; i < rowSamples; i++)
            {
                destination[i] = PngScanlines.Sample(row, i, header.BitDepth);
            }
        }

        return new PngImage(header.Width, header.Height, channels, header.ColorType, header.BitDepth, (1 << header.BitDepth) - 1, samples);
    }

    private static PngImage ExpandPalette(PngHeader header, byte[] raw, byte[] palette, byte[]? transparency)
    {
        int entries = palette.Length / 3;
        int channels = transparency is null ? 3 : 4;
        var samples = new ushort[(long)header.Width * header.Height * channels];
        for (int y = 0; y < header.Height; y++)
        {
            var row = raw.AsSpan((y * (header.Stride + 1)) + 1, header.Stride);
            for (int x = 0; x < header.Width; x++)
            {
                int index = PngScanlines.Sample(row, x, header.BitDepth);
                if (index >= entries)
                {
                    throw new InvalidDataException($"PNG pixel ({x}, {y}) uses palette index {index}, but the palette has {entries} entries");
                }

                int s = ((y * header.Width) + x) * channels;
                samples[s] = palette[3 * index];
                samples[s + 1] = palette[(3 * index) + 1];
                samples[s + 2] = palette[(3 * index) + 2];
                if (transparency is not null)
                {
                    // Entries beyond the tRNS list are opaque.
                    samples[s + 3] = index < transparency.Length ? transparency[index] : (byte)255;
                }
            }
        }

        return new PngImage(header.Width, header.Height, channels, PngColorType.Palette, header.BitDepth, 255, samples);
    }
}
