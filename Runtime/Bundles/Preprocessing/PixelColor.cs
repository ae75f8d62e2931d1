namespace FewShot.Runtime.Bundles;

/// <summary>One pixel's red, green and blue as the eye sees it on the image's backdrop: the one reading of pixels that <see cref="Preprocessor"/>, <see cref="StrokeDetection"/> and <see cref="Transparency"/> share.</summary>
internal static class PixelColor
{
    /// <summary>
    /// The pixel's color, with <see cref="PixelFormat.Rgba32"/> and <see cref="PixelFormat.Bgra32"/> alpha blended onto
    /// <paramref name="backdrop"/> (<see cref="Transparency.Backdrop"/>), so a transparent pixel is the backdrop, whatever color
    /// it stores: decoders often hand transparent pixels over as black (premultiplied alpha).
    /// </summary>
    public static (int R, int G, int B) Rgb(ReadOnlySpan<byte> pixel, PixelFormat format, byte backdrop)
    {
        (int r, int g, int b) = format == PixelFormat.Bgra32 ? (pixel[2], pixel[1], pixel[0]) : (pixel[0], pixel[1], pixel[2]);
        if (format == PixelFormat.Rgb24 || pixel[3] == 255)
        {
            return (r, g, b);
        }

        int alpha = pixel[3];
        return (Blend(r, alpha, backdrop), Blend(g, alpha, backdrop), Blend(b, alpha, backdrop));
    }

    /// <summary>One channel blended onto the backdrop: (c·a + backdrop·(255 − a)) / 255, rounded.</summary>
    public static int Blend(int channel, int alpha, byte backdrop) => ((channel * alpha) + (backdrop * (255 - alpha)) + 127) / 255;

    /// <summary>8-bit luma (ITU-R BT.601), rounded.</summary>
    public static int Luma(int r, int g, int b) => ((299 * r) + (587 * g) + (114 * b) + 500) / 1000;
}
