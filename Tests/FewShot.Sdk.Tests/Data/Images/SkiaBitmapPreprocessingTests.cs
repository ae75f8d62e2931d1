using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Data;
using SkiaSharp;

namespace FewShot.Sdk.Tests.Data.Images;

/// <summary>An app that decodes with SkiaSharp's defaults and hands the bitmap's bytes to the Runtime gets the input <c>fewshot adapt</c> computes from the same file.</summary>
public sealed class SkiaBitmapPreprocessingTests
{
    private const int Side = 24;

    [Theory]
    [InlineData(20)] // dark ink on a transparent background: a white backdrop
    [InlineData(225)] // light chalk on a transparent background: a black backdrop
    public void ADefaultSkiaBitmapsPremultipliedBytes_GiveTheInputOfTheDecodedFile(byte ink)
    {
        byte[] png = AntialiasedRing(ink);
        DecodedImage decoded = ImageDecoder.Decode(png);

        // SKBitmap.Decode premultiplies, in the platform's channel order.
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((SKAlphaType.Premul, Side * 4), (bitmap.AlphaType, bitmap.RowBytes));
        var (straight, premultiplied) = bitmap.ColorType == SKColorType.Bgra8888
            ? (PixelFormat.Bgra32, PixelFormat.Bgra32Premultiplied)
            : (PixelFormat.Rgba32, PixelFormat.Rgba32Premultiplied);

        foreach (var (steps, channels) in new[] { (ManifestPreprocessing.Omniglot, 1L), (FullColor, 3L) })
        {
            var preprocessor = new Preprocessor(new ManifestInput { Shape = [channels, Side, Side], Normalization = new ManifestNormalization { Text = "test" }, Preprocessing = steps });
            float[] expected = preprocessor.Preprocess(decoded.Samples, Side, Side, PixelFormat.Rgba32);

            Assert.InRange(MaxDifference(expected, preprocessor.Preprocess(bitmap.GetPixelSpan(), Side, Side, premultiplied)), 0f, 1.0001f / 255);
            Assert.InRange(MaxDifference(expected, preprocessor.Preprocess(bitmap.GetPixelSpan(), Side, Side, straight)), 3f / 255, 1f); // its edges tell the two apart
        }
    }

    private static ManifestPreprocessing FullColor { get; } = new() { Channels = ChannelOrder.Rgb, Resize = ResizeMethod.Area, Min = 0, Max = 1, Bright = BrightPart.Background };

    /// <summary>A PNG of an antialiased ring of color near gray <paramref name="ink"/> on a transparent background, drawn as apps draw: on a premultiplied bitmap.</summary>
    private static byte[] AntialiasedRing(byte ink)
    {
        using var bitmap = new SKBitmap(Side, Side);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = new SKColor(ink, (byte)(ink + 15), (byte)(ink + 30)), IsAntialias = true, IsStroke = true, StrokeWidth = 2.5f })
        {
            canvas.Clear(SKColors.Transparent);
            canvas.DrawCircle(Side / 2f, Side / 2f, 7.3f, paint);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static float MaxDifference(float[] expected, float[] actual) => expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
}
