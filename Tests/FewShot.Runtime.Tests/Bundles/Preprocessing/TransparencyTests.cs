using FewShot.Bundles;
using FewShot.Runtime.Bundles;

namespace FewShot.Runtime.Tests.Bundles.Preprocessing;

public sealed class TransparencyTests
{
    private static Preprocessor Omniglot() => new(new ManifestInput
    {
        Shape = [1, 10, 10],
        Normalization = new ManifestNormalization { Text = "test" },
        Preprocessing = ManifestPreprocessing.Omniglot,
    });

    /// <summary>A 20×20 cross, 3 pixels wide: true on the strokes.</summary>
    private static bool[] Cross() =>
        [.. Enumerable.Range(0, 400).Select(p => (p / 20, p % 20) is var (y, x) && ((y is >= 9 and < 12 && x is >= 3 and < 17) || (x is >= 9 and < 12 && y is >= 3 and < 17)))];

    /// <summary>Strokes of gray <paramref name="ink"/>, opaque, on a transparent background whose stored color is <paramref name="stored"/>.</summary>
    private static byte[] OnTransparent(byte ink, byte stored) =>
        [.. Cross().SelectMany(stroke => stroke ? new[] { ink, ink, ink, (byte)255 } : new[] { stored, stored, stored, (byte)0 })];

    private static byte[] Gray(byte paper, byte ink) => [.. Cross().Select(stroke => stroke ? ink : paper)];

    private static ManifestPreprocessing FullColor { get; } = new() { Channels = ChannelOrder.Rgb, Resize = ResizeMethod.Area, Min = 0, Max = 1, Bright = BrightPart.Background };

    /// <summary>
    /// A 20×20 diagonal stroke of colors near gray <paramref name="ink"/>, antialiased: opaque on the diagonal, alpha falling
    /// through partial values beside it, then transparent pixels stored black. Straight RGBA.
    /// </summary>
    private static byte[] AntialiasedStroke(byte ink) =>
        [.. Enumerable.Range(0, 400).SelectMany(p =>
        {
            (int y, int x) = (p / 20, p % 20);
            int alpha = Math.Clamp(320 - (45 * Math.Abs(x - y)), 0, 255);
            return alpha == 0 ? new byte[4] : new[] { (byte)(ink + x), (byte)(ink + 10 - (y / 2)), ink, (byte)alpha };
        })];

    /// <summary>A straight RGBA image as <paramref name="format"/> stores it: color times alpha / 255, rounded, when premultiplied; blue first for BGRA.</summary>
    private static byte[] Stored(byte[] straightRgba, PixelFormat format)
    {
        byte[] pixels = [.. straightRgba];
        for (int p = 0; p < pixels.Length; p += 4)
        {
            if (format is PixelFormat.Rgba32Premultiplied or PixelFormat.Bgra32Premultiplied)
            {
                for (int c = p; c < p + 3; c++)
                {
                    pixels[c] = (byte)(((pixels[c] * pixels[p + 3]) + 127) / 255);
                }
            }

            if (format is PixelFormat.Bgra32 or PixelFormat.Bgra32Premultiplied)
            {
                (pixels[p], pixels[p + 2]) = (pixels[p + 2], pixels[p]);
            }
        }

        return pixels;
    }

    [Theory]
    [InlineData(PixelFormat.Rgba32, 0)] // stored black, as premultiplying decoders hand transparent pixels over
    [InlineData(PixelFormat.Rgba32, 255)] // stored white: white chalk on white was a blank input before
    [InlineData(PixelFormat.Bgra32, 255)]
    public void BrightStrokesOnATransparentBackground_AreBrightStrokesOnBlack(PixelFormat format, byte stored)
    {
        byte[] chalk = OnTransparent(ink: 255, stored);
        Preprocessor preprocessor = Omniglot();

        float[] input = preprocessor.Preprocess(chalk, 20, 20, format);

        Assert.Equal(0, Transparency.Backdrop(chalk, 20, 20, format));
        Assert.Equal(StrokeTone.Bright, StrokeDetection.Detect(chalk, 20, 20, format));
        Assert.Equal(preprocessor.Preprocess(Gray(paper: 0, ink: 255), 20, 20, PixelFormat.Gray8), input);
        Assert.Equal(preprocessor.Preprocess(Gray(paper: 255, ink: 0), 20, 20, PixelFormat.Gray8), input);
        Assert.Equal(1f, input[55]);
    }

    [Theory]
    [InlineData(PixelFormat.Rgba32, 0)]
    [InlineData(PixelFormat.Rgba32, 255)]
    [InlineData(PixelFormat.Bgra32, 0)]
    public void DarkStrokesOnATransparentBackground_StayDarkStrokesOnWhite(PixelFormat format, byte stored)
    {
        byte[] ink = OnTransparent(ink: 0, stored);

        Assert.Equal(255, Transparency.Backdrop(ink, 20, 20, format));
        Assert.Equal(StrokeTone.Dark, StrokeDetection.Detect(ink, 20, 20, format));
        Assert.Equal(Omniglot().Preprocess(Gray(paper: 255, ink: 0), 20, 20, PixelFormat.Gray8), Omniglot().Preprocess(ink, 20, 20, format));
    }

    [Theory]
    [InlineData(255, 0)]
    [InlineData(0, 255)]
    [InlineData(230, 40)]
    public void OpaqueImages_AreUnchanged(byte paper, byte ink)
    {
        byte[] gray = Gray(paper, ink);
        byte[] rgba = [.. gray.SelectMany(g => new[] { g, g, g, (byte)255 })];
        byte[] composited = [.. rgba];

        Transparency.Composite(composited, 20, 20, PixelFormat.Rgba32);

        Assert.Equal(rgba, composited);
        Assert.Equal(Omniglot().Preprocess(gray, 20, 20, PixelFormat.Gray8), Omniglot().Preprocess(rgba, 20, 20, PixelFormat.Rgba32));
    }

    [Fact]
    public void HalfTransparentEdges_AreBlendedOntoTheSameBackdrop()
    {
        // A stroke pixel, its half-transparent edge, and a transparent one: (c·128 + backdrop·127 + 127) / 255.
        byte[] chalk = [255, 255, 255, 255, 255, 255, 255, 128, 255, 255, 255, 0];
        byte[] ink = [0, 0, 0, 255, 0, 0, 0, 128, 0, 0, 0, 0];

        Transparency.Composite(chalk, 3, 1, PixelFormat.Rgba32);
        Transparency.Composite(ink, 3, 1, PixelFormat.Rgba32);

        Assert.Equal([255, 255, 255, 255, 128, 128, 128, 255, 0, 0, 0, 255], chalk);
        Assert.Equal([0, 0, 0, 255, 127, 127, 127, 255, 255, 255, 255, 255], ink);
    }

    [Fact]
    public void ThePreprocessorReadsPixelsAsCompositingThemFirstWould()
    {
        byte[] chalk = OnTransparent(ink: 250, stored: 255);
        chalk[(55 * 4) + 3] = 90;
        byte[] composited = [.. chalk];
        Transparency.Composite(composited, 20, 20, PixelFormat.Rgba32);

        Assert.Equal(Omniglot().Preprocess(composited, 20, 20, PixelFormat.Rgba32), Omniglot().Preprocess(chalk, 20, 20, PixelFormat.Rgba32));
    }

    [Theory]
    [InlineData(PixelFormat.Rgba32, PixelFormat.Rgba32Premultiplied, 20, 255)] // dark ink on transparent: white backdrop
    [InlineData(PixelFormat.Rgba32, PixelFormat.Rgba32Premultiplied, 225, 0)] // light chalk on transparent: black backdrop
    [InlineData(PixelFormat.Bgra32, PixelFormat.Bgra32Premultiplied, 20, 255)]
    [InlineData(PixelFormat.Bgra32, PixelFormat.Bgra32Premultiplied, 225, 0)]
    public void PremultipliedPixels_GiveTheInputOfTheSameImageStraight(PixelFormat straight, PixelFormat premultiplied, byte ink, byte backdrop)
    {
        // Read as straight alpha, the premultiplied edges would be darkened twice: a few levels darker on white, half as bright on black.
        byte[] image = AntialiasedStroke(ink);
        byte[] straightPixels = Stored(image, straight);
        byte[] premultipliedPixels = Stored(image, premultiplied);

        Assert.Equal(backdrop, Transparency.Backdrop(straightPixels, 20, 20, straight));
        Assert.Equal(backdrop, Transparency.Backdrop(premultipliedPixels, 20, 20, premultiplied));
        foreach (var (steps, channels) in new[] { (ManifestPreprocessing.Omniglot, 1L), (FullColor, 3L) })
        {
            var preprocessor = new Preprocessor(new ManifestInput { Shape = [channels, 20, 20], Normalization = new ManifestNormalization { Text = "test" }, Preprocessing = steps });
            float[] expected = preprocessor.Preprocess(straightPixels, 20, 20, straight);
            float[] actual = preprocessor.Preprocess(premultipliedPixels, 20, 20, premultiplied);
            Assert.InRange(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max(), 0f, 1.0001f / 255);
        }

        Transparency.Composite(straightPixels, 20, 20, straight);
        Transparency.Composite(premultipliedPixels, 20, 20, premultiplied);
        Assert.InRange(straightPixels.Zip(premultipliedPixels, (e, a) => Math.Abs(e - a)).Max(), 0, 1);
    }

    [Theory]
    [InlineData(PixelFormat.Rgba32Premultiplied)]
    [InlineData(PixelFormat.Bgra32Premultiplied)]
    public void FaintPremultipliedChalk_IsStillBrightStrokesOnBlack(PixelFormat format)
    {
        // White chalk at alpha 100, stored premultiplied as 100: its color is white, not the gray its bytes hold.
        byte[] chalk = [100, 100, 100, 100, 0, 0, 0, 0];

        Assert.Equal(0, Transparency.Backdrop(chalk, 2, 1, format));
        Transparency.Composite(chalk, 2, 1, format);
        Assert.Equal([100, 100, 100, 255, 0, 0, 0, 255], chalk);
    }

    [Theory]
    [InlineData(PixelFormat.Gray8, 1)]
    [InlineData(PixelFormat.Rgb24, 3)]
    [InlineData(PixelFormat.Rgba32, 4)] // nothing visible: white paper, as before
    public void ImagesWithoutVisibleTransparency_KeepWhitePaper(PixelFormat format, int bytesPerPixel) =>
        Assert.Equal(255, Transparency.Backdrop(new byte[4 * bytesPerPixel], 2, 2, format));
}
