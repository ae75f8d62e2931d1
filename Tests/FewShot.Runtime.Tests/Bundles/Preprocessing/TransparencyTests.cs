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
    [InlineData(PixelFormat.Gray8, 1)]
    [InlineData(PixelFormat.Rgb24, 3)]
    [InlineData(PixelFormat.Rgba32, 4)] // nothing visible: white paper, as before
    public void ImagesWithoutVisibleTransparency_KeepWhitePaper(PixelFormat format, int bytesPerPixel) =>
        Assert.Equal(255, Transparency.Backdrop(new byte[4 * bytesPerPixel], 2, 2, format));
}
