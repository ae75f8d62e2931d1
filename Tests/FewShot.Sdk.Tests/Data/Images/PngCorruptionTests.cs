using System.Buffers.Binary;
using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Images;

public sealed class PngCorruptionTests
{
    private static readonly byte[] Valid = PngTestEncoder.Encode(
        9, 5, PngColorType.Rgb, 8, [.. Enumerable.Range(0, 9 * 5 * 3).Select(i => (ushort)(i * 7 % 256))], PngTestEncoder.MixedFilters);

    private static string Fails(byte[] png) => Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png)).Message;

    private static byte[] WithChunks(params (string Type, byte[] Data)[] chunks) => PngTestEncoder.Assemble(chunks);

    private static byte[] Idat(int width, int height, int bytesPerRow, byte filter = 0)
    {
        var raw = new byte[height * (bytesPerRow + 1)];
        for (int y = 0; y < height; y++)
        {
            raw[y * (bytesPerRow + 1)] = filter;
        }

        return PngTestEncoder.Compress(raw);
    }

    [Fact]
    public void RejectsABadSignature()
    {
        byte[] png = (byte[])Valid.Clone();
        png[1] = (byte)'J';

        Assert.Contains("bad signature", Fails(png));
        Assert.Contains("bad signature", Fails([]));
    }

    [Fact]
    public void EveryTruncationIsReportedAsInvalidData()
    {
        for (int length = 0; length < Valid.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(Valid.AsSpan(0, length)));
        }
    }

    [Fact]
    public void TruncationInsideAChunkSaysTruncated()
    {
        Assert.Contains("truncated", Fails(Valid[..(Valid.Length - 20)]));
        Assert.Contains("truncated", Fails(Valid[..(Valid.Length - 12)]));
    }

    [Fact]
    public void EverySingleByteCorruptionIsDetected()
    {
        // Each chunk's CRC covers its type and data, so no flipped byte can decode silently.
        for (int position = 0; position < Valid.Length; position++)
        {
            byte[] png = (byte[])Valid.Clone();
            png[position] ^= 0x10;

            Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png));
        }
    }

    [Fact]
    public void ABadCrcNamesTheChunk()
    {
        byte[] png = (byte[])Valid.Clone();
        png[8 + 8 + 13 + 3] ^= 1;

        string message = Fails(png);

        Assert.Contains("bad CRC", message);
        Assert.Contains("'IHDR'", message);
    }

    [Fact]
    public void RejectsInterlacedImages()
    {
        byte[] png = PngTestEncoder.Encode(2, 2, PngColorType.Grayscale, 8, [1, 2, 3, 4], interlace: 1);

        Assert.Contains("interlaced", Fails(png));
    }

    [Theory]
    [InlineData(2, 4, "bit depth 4 is invalid for color type 2")]
    [InlineData(3, 16, "bit depth 16 is invalid for color type 3")]
    [InlineData(0, 3, "bit depth 3 is invalid for color type 0")]
    [InlineData(5, 8, "color type 5 is invalid")]
    public void RejectsInvalidFormats(byte colorType, int bitDepth, string expected)
    {
        byte[] png = WithChunks(("IHDR", PngTestEncoder.Ihdr(1, 1, bitDepth, colorType)), ("IDAT", Idat(1, 1, 8)), ("IEND", []));

        Assert.Contains(expected, Fails(png));
    }

    [Fact]
    public void RejectsUnknownRowFilters()
    {
        byte[] png = WithChunks(("IHDR", PngTestEncoder.Ihdr(2, 2, 8, 0)), ("IDAT", Idat(2, 2, 2, filter: 7)), ("IEND", []));

        Assert.Contains("filter type 7", Fails(png));
    }

    [Fact]
    public void RejectsImageDataThatEndsEarly()
    {
        byte[] png = WithChunks(("IHDR", PngTestEncoder.Ihdr(4, 4, 8, 0)), ("IDAT", Idat(4, 3, 4)), ("IEND", []));

        Assert.Contains("inflates to 15 bytes", Fails(png));
    }

    [Fact]
    public void RejectsImageDataThatIsNotZlib()
    {
        byte[] png = WithChunks(("IHDR", PngTestEncoder.Ihdr(2, 2, 8, 0)), ("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), ("IEND", []));

        Assert.Contains("zlib", Fails(png));
    }

    [Fact]
    public void RefusesHostileSizesBeforeAllocating()
    {
        byte[] huge = WithChunks(("IHDR", PngTestEncoder.Ihdr(100_000, 100_000, 8, 6)), ("IDAT", Idat(1, 1, 1)), ("IEND", []));
        byte[] bomb = WithChunks(("IHDR", PngTestEncoder.Ihdr(8000, 8000, 8, 6)), ("IDAT", Idat(1, 1, 1)), ("IEND", []));
        long before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Contains("more than the", Fails(huge));
        Assert.Contains("cannot hold", Fails(bomb));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Theory]
    [InlineData(0u, 5u)]
    [InlineData(5u, 0u)]
    public void RejectsEmptyImages(uint width, uint height)
    {
        var ihdr = PngTestEncoder.Ihdr(1, 1, 8, 0);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);

        Assert.Contains("invalid", Fails(WithChunks(("IHDR", ihdr), ("IDAT", Idat(1, 1, 1)), ("IEND", []))));
    }

    [Fact]
    public void RejectsPaletteProblems()
    {
        byte[] noPalette = WithChunks(("IHDR", PngTestEncoder.Ihdr(1, 1, 8, 3)), ("IDAT", Idat(1, 1, 1)), ("IEND", []));
        byte[] outOfRange = PngTestEncoder.Encode(2, 1, PngColorType.Palette, 8, [0, 2], palette: [1, 2, 3, 4, 5, 6]);
        byte[] oddPalette = PngTestEncoder.Encode(1, 1, PngColorType.Palette, 8, [0], palette: [1, 2, 3, 4]);

        Assert.Contains("no PLTE", Fails(noPalette));
        Assert.Contains("palette index 2, but the palette has 2 entries", Fails(outOfRange));
        Assert.Contains("PLTE chunk has 4 bytes", Fails(oddPalette));
    }

    [Fact]
    public void RejectsChunkOrderAndUnknownCriticalChunks()
    {
        byte[] idatFirst = WithChunks(("IDAT", Idat(1, 1, 1)), ("IHDR", PngTestEncoder.Ihdr(1, 1, 8, 0)), ("IEND", []));
        byte[] noIdat = WithChunks(("IHDR", PngTestEncoder.Ihdr(1, 1, 8, 0)), ("IEND", []));
        byte[] critical = PngTestEncoder.Encode(1, 1, PngColorType.Grayscale, 8, [0], extraChunks: [("ABCD", [1])]);
        byte[] twoHeaders = PngTestEncoder.Encode(1, 1, PngColorType.Grayscale, 8, [0], extraChunks: [("IHDR", PngTestEncoder.Ihdr(1, 1, 8, 0))]);

        Assert.Contains("first chunk is 'IDAT', expected IHDR", Fails(idatFirst));
        Assert.Contains("no IDAT", Fails(noIdat));
        Assert.Contains("critical chunk 'ABCD'", Fails(critical));
        Assert.Contains("second IHDR", Fails(twoHeaders));
    }
}
