using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Images;

/// <summary>
/// A small PNG encoder written for the tests, independent of the decoder: every color type and bit depth, any
/// of the five filters (or all of them in turn), any number of IDAT chunks, extra chunks, and a bitwise CRC.
/// </summary>
internal static class PngTestEncoder
{
    /// <summary>Filter value meaning "row y uses filter y mod 5".</summary>
    public const int MixedFilters = -1;

    /// <summary>
    /// Encodes <paramref name="samples"/>: <c>[height, width, channels]</c> as stored (palette indices for
    /// color type 3), each below 2^bitDepth.
    /// </summary>
    public static byte[] Encode(
        int width, int height, PngColorType colorType, int bitDepth, ushort[] samples,
        int filter = 0, byte[]? palette = null, byte[]? transparency = null, int idatChunks = 1,
        byte interlace = 0, IEnumerable<(string Type, byte[] Data)>? extraChunks = null)
    {
        var chunks = new List<(string Type, byte[] Data)> { ("IHDR", Ihdr(width, height, bitDepth, (byte)colorType, interlace)) };
        chunks.AddRange(extraChunks ?? []);
        if (palette is not null)
        {
            chunks.Add(("PLTE", palette));
        }

        if (transparency is not null)
        {
            chunks.Add(("tRNS", transparency));
        }

        byte[] data = Compress(Filter(Pack(width, height, Channels(colorType), bitDepth, samples), height, BytesPerPixel(colorType, bitDepth), filter));
        int piece = (data.Length + idatChunks - 1) / idatChunks;
        for (int start = 0; start < data.Length; start += piece)
        {
            chunks.Add(("IDAT", data[start..Math.Min(data.Length, start + piece)]));
        }

        chunks.Add(("IEND", []));
        return Assemble(chunks);
    }

    public static byte[] Ihdr(int width, int height, int bitDepth, byte colorType, byte interlace = 0)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = colorType;
        ihdr[12] = interlace;
        return ihdr;
    }

    public static byte[] Assemble(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        var output = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        foreach (var (type, data) in chunks)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
            byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
            var crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(typeAndData));
            output.AddRange(length);
            output.AddRange(typeAndData);
            output.AddRange(crc);
        }

        return [.. output];
    }

    public static byte[] Compress(byte[] raw)
    {
        var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        return buffer.ToArray();
    }

    public static int Channels(PngColorType colorType) => colorType switch
    {
        PngColorType.Grayscale or PngColorType.Palette => 1,
        PngColorType.GrayscaleAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    /// <summary>Bitwise CRC-32 (no table), so that it checks the decoder's table rather than sharing it.</summary>
    public static uint Crc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }

    private static int BytesPerPixel(PngColorType colorType, int bitDepth) => Math.Max(1, Channels(colorType) * bitDepth / 8);

    /// <summary>Rows of packed samples, each preceded by a zero filter byte.</summary>
    private static byte[] Pack(int width, int height, int channels, int bitDepth, ushort[] samples)
    {
        int stride = ((width * channels * bitDepth) + 7) / 8;
        var raw = new byte[height * (stride + 1)];
        for (int y = 0; y < height; y++)
        {
            var row = raw.AsSpan((y * (stride + 1)) + 1, stride);
            for (int i = 0; i < width * channels; i++)
            {
                ushort value = samples[(y * width * channels) + i];
                if (bitDepth == 16)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(row[(2 * i)..], value);
                }
                else
                {
                    int bit = i * bitDepth;
                    row[bit / 8] |= (byte)(value << (8 - bitDepth - (bit % 8)));
                }
            }
        }

        return raw;
    }

    private static byte[] Filter(byte[] raw, int height, int bpp, int filter)
    {
        int stride = (raw.Length / height) - 1;
        var output = new byte[raw.Length];
        for (int y = 0; y < height; y++)
        {
            int type = filter == MixedFilters ? y % 5 : filter;
            int start = y * (stride + 1);
            output[start] = (byte)type;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? raw[start + 1 + i - bpp] : 0;
                int b = y > 0 ? raw[start - stride + i] : 0;
                int c = i >= bpp && y > 0 ? raw[start - stride + i - bpp] : 0;
                int predictor = type switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new ArgumentOutOfRangeException(nameof(filter)),
                };
                output[start + 1 + i] = (byte)(raw[start + 1 + i] - predictor);
            }
        }

        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
