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

        float[] input = preprocessor.Preprocess(pixels, 4, 2, PixelFormat.Gray8);

        Assert.Equal(1f, input[0]);
        Assert.Equal(0.2f, input[1], 6);
        Assert.Equal([0f, 0.8f], preprocessor.Preprocess(pixels, 4, 2, PixelFormat.Gray8, StrokeTone.Bright), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void ColorImages_BecomeLuma_ForGrayModels_InAnyByteOrder()
    {
        var preprocessor = new Preprocessor(Input(1, 1, 1, ManifestPreprocessing.Omniglot with { Bright = BrightPart.Background }));

        float rgb = preprocessor.Preprocess([200, 100, 50], 1, 1, PixelFormat.Rgb24)[0];
        float bgra = preprocessor.Preprocess([50, 100, 200, 7], 1, 1, PixelFormat.Bgra32)[0];

        Assert.Equal(((0.299f * 200) + (0.587f * 100) + (0.114f * 50)) / 255f, rgb);
        Assert.Equal(rgb, bgra);
    }

    [Fact]
    public void RgbModels_GetTheirChannels_ScaledToTheRange_ThenNormalized()
    {
        var steps = new ManifestPreprocessing { Channels = ChannelOrder.Rgb, Resize = ResizeMethod.Area, Min = -1, Max = 1, Bright = BrightPart.Background };
        var preprocessor = new Preprocessor(Input(3, 1, 1, steps, mean: [0f, 0.5f, 0f], std: [1f, 0.5f, 2f]));

        float[] input = preprocessor.Preprocess([255, 255, 0, 0], 1, 1, PixelFormat.Rgba32);

        Assert.Equal([1f, 1f, -0.5f], input);
    }

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
