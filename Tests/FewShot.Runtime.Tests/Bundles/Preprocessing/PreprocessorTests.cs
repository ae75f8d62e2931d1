using FewShot.Bundles;
using FewShot.Runtime.Bundles;

namespace FewShot.Runtime.Tests.Bundles.Preprocessing;

public sealed class PreprocessorTests
{
    private static ManifestInput Input(long channels, long height, long width, ManifestPreprocessing? steps, float[]? mean = null, float[]? std = null) => new()
    {
        Shape = [channels, height, width],
        Normalization = new ManifestNormalization { Text = "test", Mean = mean, Std = std },
        Preprocessing = steps,
    };

    [Fact]
    public void Omniglot_DarkInkBecomesOne_PaperZero_AreaAveraged()
    {
        // 4×2 gray: left 2×2 block black ink, right block three white pixels and one of gray 51 (ink 0.8).
        byte[] pixels = [0, 0, 255, 255, 0, 0, 255, 51];
        var preprocessor = new Preprocessor(Input(1, 1, 2, ManifestPreprocessing.Omniglot));

        float[] input = preprocessor.Preprocess(pixels, 4, 2, PixelFormat.Gray8, StrokeTone.Dark);

        Assert.Equal(1f, input[0]);
        Assert.Equal(0.2f, input[1], 6);
        Assert.Equal([0f, 0.8f], preprocessor.Preprocess(pixels, 4, 2, PixelFormat.Gray8, StrokeTone.Bright), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void ColorImages_BecomeLuma_ForGrayModels_InAnyByteOrder()
    {
        var preprocessor = new Preprocessor(Input(1, 1, 1, ManifestPreprocessing.Omniglot with { Bright = BrightPart.Background }));

        float rgb = preprocessor.Preprocess([200, 100, 50], 1, 1, PixelFormat.Rgb24)[0];
        float bgra = preprocessor.Preprocess([50, 100, 200, 255], 1, 1, PixelFormat.Bgra32)[0];

        Assert.Equal(((0.299f * 200) + (0.587f * 100) + (0.114f * 50)) / 255f, rgb);
        Assert.Equal(rgb, bgra);
    }

    [Theory]
    [InlineData(PixelFormat.Rgb24, 3)]
    [InlineData(PixelFormat.Rgba32, 4)]
    [InlineData(PixelFormat.Bgra32, 4)]
    public void GrayPixelsOfColorImages_GiveTheInputOfAGrayImage_BitForBit(PixelFormat format, int bytesPerPixel)
    {
        // Decoders hand gray drawings with alpha over as RGBA: every level must give what the gray file gives.
        var preprocessor = new Preprocessor(Input(1, 1, 256, ManifestPreprocessing.Omniglot));
        byte[] gray = [.. Enumerable.Range(0, 256).Select(g => (byte)g)];
        byte[] color = [.. gray.SelectMany(g => bytesPerPixel == 3 ? new[] { g, g, g } : new byte[] { g, g, g, 255 })];

        Assert.Equal(preprocessor.Preprocess(gray, 256, 1, PixelFormat.Gray8, StrokeTone.Dark), preprocessor.Preprocess(color, 256, 1, format, StrokeTone.Dark));
        Assert.Equal(preprocessor.Preprocess(gray, 256, 1, PixelFormat.Gray8, StrokeTone.Bright), preprocessor.Preprocess(color, 256, 1, format, StrokeTone.Bright));
    }

    [Fact]
    public void RgbModels_GetTheirChannels_ScaledToTheRange_ThenNormalized()
    {
        var steps = new ManifestPreprocessing { Channels = ChannelOrder.Rgb, Resize = ResizeMethod.Area, Min = -1, Max = 1, Bright = BrightPart.Background };
        var preprocessor = new Preprocessor(Input(3, 1, 1, steps, mean: [0f, 0.5f, 0f], std: [1f, 0.5f, 2f]));

        float[] input = preprocessor.Preprocess([255, 255, 0, 255], 1, 1, PixelFormat.Rgba32);

        Assert.Equal([1f, 1f, -0.5f], input);
    }

    /// <summary>A 20×20 drawing: paper of gray <paramref name="paper"/> with a cross of ink <paramref name="ink"/>, 3 pixels wide.</summary>
    private static byte[] Cross(byte paper, byte ink)
    {
        var pixels = new byte[20 * 20];
        for (int p = 0; p < pixels.Length; p++)
        {
            (int y, int x) = (p / 20, p % 20);
            pixels[p] = (y is >= 9 and < 12 && x is >= 3 and < 17) || (x is >= 9 and < 12 && y is >= 3 and < 17) ? ink : paper;
        }

        return pixels;
    }

    [Fact]
    public void ByDefault_EachDrawingShowsItsStrokes_DarkOnLightAndLightOnDarkGiveTheSameInput()
    {
        var preprocessor = new Preprocessor(Input(1, 10, 10, ManifestPreprocessing.Omniglot));
        float[] dark = preprocessor.Preprocess(Cross(paper: 255, ink: 0), 20, 20, PixelFormat.Gray8, StrokeTone.Dark);

        Assert.Equal(dark, preprocessor.Preprocess(Cross(paper: 255, ink: 0), 20, 20, PixelFormat.Gray8));
        Assert.Equal(dark, preprocessor.Preprocess(Cross(paper: 0, ink: 255), 20, 20, PixelFormat.Gray8));
        Assert.Equal(0f, dark[0]);
        Assert.Equal(1f, dark[55]);
    }

    [Theory]
    [InlineData(PixelFormat.Rgba32, 0)] // transparent paper stored black, as premultiplying decoders (SkiaSharp's default) hand it over
    [InlineData(PixelFormat.Rgba32, 255)] // transparent paper stored white
    [InlineData(PixelFormat.Bgra32, 0)]
    public void TransparentPaper_IsWhitePaper_AsFewshotAdaptReadsTheFile(PixelFormat format, byte storedPaper)
    {
        // A drawing of black ink on a transparent background: before compositing, alpha was dropped and paper stored as
        // black made the whole drawing black (one tone), so the model saw a blank input.
        var preprocessor = new Preprocessor(Input(1, 10, 10, ManifestPreprocessing.Omniglot));
        byte[] gray = Cross(paper: 255, ink: 0);
        byte[] transparent = [.. gray.SelectMany(g => g == 0 ? new byte[] { 0, 0, 0, 255 } : new[] { storedPaper, storedPaper, storedPaper, (byte)0 })];

        Assert.Equal(StrokeTone.Dark, StrokeDetection.Detect(transparent, 20, 20, format));
        Assert.Equal(preprocessor.Preprocess(gray, 20, 20, PixelFormat.Gray8), preprocessor.Preprocess(transparent, 20, 20, format));
    }

    [Fact]
    public void HalfTransparentInk_IsBlendedOntoWhite_AsTheDecoderRoundsIt()
    {
        var preprocessor = new Preprocessor(Input(1, 1, 1, ManifestPreprocessing.Omniglot with { Bright = BrightPart.Background }));

        // Black at alpha 128 over white: (0·128 + 255·127 + 127) / 255 = 127.
        Assert.Equal(127 / 255f, preprocessor.Preprocess([0, 0, 0, 128], 1, 1, PixelFormat.Rgba32)[0], 6);
    }

    [Theory]
    [InlineData(100, 10, StrokeTone.Dark)] // gray paper (0.39) under black ink: a threshold at 0.5 would call it bright strokes
    [InlineData(160, 250, StrokeTone.Bright)] // chalk on a faded board (0.63)
    [InlineData(255, 0, StrokeTone.Dark)]
    [InlineData(0, 255, StrokeTone.Bright)]
    [InlineData(255, 255, StrokeTone.Dark)] // blank white paper
    [InlineData(20, 20, StrokeTone.Bright)] // blank dark board
    public void StrokeDetection_TheMinorityIsTheStrokes_WhateverThePapersLevel(int paper, int ink, StrokeTone expected)
    {
        byte[] gray = Cross((byte)paper, (byte)ink);
        Assert.Equal(expected, StrokeDetection.Detect(gray, 20, 20, PixelFormat.Gray8));
        byte[] rgb = [.. gray.SelectMany(g => new[] { g, g, g })];
        Assert.Equal(expected, StrokeDetection.Detect(rgb, 20, 20, PixelFormat.Rgb24));
    }

    [Fact]
    public void ByDefault_ABundleWhoseInputIsNotStrokes_TakesImagesAsTheyAre()
    {
        // A folder bundle (bright = background): a dark photo with a light minority is not a drawing to turn round.
        var preprocessor = new Preprocessor(Input(1, 20, 20, ManifestPreprocessing.Omniglot with { Bright = BrightPart.Background }));
        byte[] photo = Cross(paper: 30, ink: 220);

        Assert.Equal(photo.Select(g => g / 255f), preprocessor.Preprocess(photo, 20, 20, PixelFormat.Gray8), new FloatTolerance(1e-6f));
        Assert.Equal(photo.Select(g => 1f - (g / 255f)), preprocessor.Preprocess(photo, 20, 20, PixelFormat.Gray8, StrokeTone.Bright), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void FewShotModelPreprocess_DefaultsToAuto() =>
        Assert.Equal(StrokeTone.Auto, typeof(FewShotModel).GetMethod(nameof(FewShotModel.Preprocess))!.GetParameters()[^1].DefaultValue);

    [Fact]
    public void ABundleWithoutPreprocessing_SaysSo() =>
        Assert.Contains("input.preprocessing is null", Assert.Throws<NotSupportedException>(() => new Preprocessor(Input(1, 2, 2, null))).Message);

    [Fact]
    public void PixelsOfTheWrongSize_AreRefused() =>
        Assert.Contains("The image has 5 bytes; 2×2 Rgb24 pixels are 12.",
            Assert.Throws<ArgumentException>(() => new Preprocessor(Input(1, 1, 1, ManifestPreprocessing.Omniglot)).Preprocess(new byte[5], 2, 2, PixelFormat.Rgb24)).Message);

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
