using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.Images;

public sealed class PngDecoderTests
{
    public static TheoryData<PngColorType, int, int> EveryFormatAndFilter()
    {
        var data = new TheoryData<PngColorType, int, int>();
        (PngColorType Type, int[] Depths)[] formats =
        [
            (PngColorType.Grayscale, [1, 2, 4, 8, 16]),
            (PngColorType.Rgb, [8, 16]),
            (PngColorType.Palette, [1, 2, 4, 8]),
            (PngColorType.GrayscaleAlpha, [8, 16]),
            (PngColorType.Rgba, [8, 16]),
        ];
        foreach (var (type, depths) in formats)
        {
            foreach (int depth in depths)
            {
                foreach (int filter in new[] { 0, 1, 2, 3, 4, PngTestEncoder.MixedFilters })
                {
                    data.Add(type, depth, filter);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryFormatAndFilter))]
    public void DecodesEveryColorTypeBitDepthAndFilterExactly(PngColorType colorType, int bitDepth, int filter)
    {
        // Odd sizes leave partial bytes at the end of sub-byte rows; a seeded RNG keeps the case reproducible.
        const int Width = 13, Height = 7;
        var random = new Random(1000 + ((int)colorType * 100) + (bitDepth * 10) + filter);
        int channels = PngTestEncoder.Channels(colorType);
        int limit = colorType == PngColorType.Palette ? Math.Min(1 << bitDepth, 5) : 1 << bitDepth;
        var samples = new ushort[Width * Height * channels];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (ushort)random.Next(limit);
        }

        byte[]? palette = colorType == PngColorType.Palette ? [.. Enumerable.Range(0, 15).Select(i => (byte)(i * 17))] : null;
        byte[] png = PngTestEncoder.Encode(Width, Height, colorType, bitDepth, samples, filter, palette, idatChunks: 3);

        var image = PngDecoder.Decode(png);

        Assert.Equal(Width, image.Width);
        Assert.Equal(Height, image.Height);
        Assert.Equal(colorType, image.ColorType);
        Assert.Equal(bitDepth, image.BitDepth);
        if (colorType == PngColorType.Palette)
        {
            Assert.Equal(3, image.Channels);
            Assert.Equal(255, image.MaxSampleValue);
            ushort[] expected = samples.SelectMany(index => new[] { palette![3 * index], palette[(3 * index) + 1], palette[(3 * index) + 2] })
                .Select(b => (ushort)b).ToArray();
            Assert.Equal(expected, image.Samples.ToArray());
        }
        else
        {
            Assert.Equal(channels, image.Channels);
            Assert.Equal((1 << bitDepth) - 1, image.MaxSampleValue);
            Assert.Equal(samples, image.Samples.ToArray());
        }
    }

    [Fact]
    public void PaletteTransparencyBecomesAnAlphaChannel()
    {
        byte[] palette = [10, 20, 30, 40, 50, 60, 70, 80, 90];
        byte[] png = PngTestEncoder.Encode(3, 1, PngColorType.Palette, 8, [0, 1, 2], palette: palette, transparency: [0, 128]);

        var image = PngDecoder.Decode(png);

        Assert.Equal(4, image.Channels);
        Assert.Equal([10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255], image.Samples.ToArray());
    }

    [Fact]
    public void SkipsAncillaryChunks()
    {
        byte[] png = PngTestEncoder.Encode(2, 1, PngColorType.Grayscale, 8, [1, 2], extraChunks: [("teXt", "Comment\0hi"u8.ToArray()), ("gAMA", new byte[4])]);

        Assert.Equal([1, 2], PngDecoder.Decode(png).Samples.ToArray());
    }

    [Fact]
    public void GrayTensorsAreSamplesOverTheMaximum()
    {
        byte[] png = PngTestEncoder.Encode(2, 2, PngColorType.GrayscaleAlpha, 8, [0, 255, 51, 0, 255, 9, 102, 255]);

        float[] tensor = PngDecoder.Decode(png).ToTensor(ImageColorMode.Grayscale);

        Assert.Equal([0f, 51 / 255f, 1f, 102 / 255f], tensor);
    }

    [Fact]
    public void ColorBecomesLumaInGrayscaleAndPlanesInRgb()
    {
        byte[] png = PngTestEncoder.Encode(2, 1, PngColorType.Rgba, 8, [255, 0, 0, 7, 10, 20, 30, 255]);
        var image = PngDecoder.Decode(png);

        float[] gray = image.ToTensor(ImageColorMode.Grayscale);
        float[] rgb = image.ToTensor(ImageColorMode.Rgb);

        Assert.Equal((float)(0.299 * 255 / 255), gray[0], 6);
        Assert.Equal((float)(((0.299 * 10) + (0.587 * 20) + (0.114 * 30)) / 255), gray[1], 6);
        Assert.Equal([1f, 10 / 255f, 0f, 20 / 255f, 0f, 30 / 255f], rgb);
    }

    [Fact]
    public void GrayImagesRepeatTheirChannelInRgb()
    {
        byte[] png = PngTestEncoder.Encode(2, 1, PngColorType.Grayscale, 16, [65535, 0]);

        Assert.Equal([1f, 0f, 1f, 0f, 1f, 0f], PngDecoder.Decode(png).ToTensor(ImageColorMode.Rgb));
    }

    [Fact]
    public void ResizedTensorsAreAreaAverages()
    {
        // A 4×4 one-bit checkerboard of 2×2 blocks averages to the block values at 2×2, and to 0.5 at 1×1.
        ushort[] blocks = [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1];
        var image = PngDecoder.Decode(PngTestEncoder.Encode(4, 4, PngColorType.Grayscale, 1, blocks));

        Assert.Equal([1f, 0f, 0f, 1f], image.ToTensor(ImageColorMode.Grayscale, 2, 2));
        Assert.Equal([0.5f], image.ToTensor(ImageColorMode.Grayscale, 1, 1));
    }

    [Fact]
    public void DecodesFromAFileAndNamesItInErrors()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("ok.png"), PngTestEncoder.Encode(1, 1, PngColorType.Grayscale, 8, [7]));
        File.WriteAllBytes(temp.File("bad.png"), [1, 2, 3]);

        Assert.Equal([7], PngDecoder.Decode(temp.File("ok.png")).Samples.ToArray());
        Assert.Contains("bad.png", Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(temp.File("bad.png"))).Message);
    }

    [Fact]
    public void TheCrcTableMatchesTheBitwiseDefinition()
    {
        byte[] data = [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 31))];

        Assert.Equal(PngTestEncoder.Crc(data), PngCrc32.Compute(data));
        Assert.Equal(0xCBF43926u, PngCrc32.Compute("123456789"u8));
    }
}
