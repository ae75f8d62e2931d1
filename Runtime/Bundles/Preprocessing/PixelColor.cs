namespace FewShot.Runtime.Bundles;

/// <summary>One pixel's red, green and blue as the eye sees it on the image's backdrop: the one reading of pixels that <see cref="Preprocessor"/>, <see cref="StrokeDetection"/> and <see cref="Transparency"/> share.</summary>
internal static class PixelColor
{
    /// <summary>
    /// The pixel's color, with the alpha of the four-channel formats blended onto <paramref name="backdrop"/>
    /// (<see cref="Transparency.Backdrop"/>), so a transparent pixel is the backdrop, whatever color it stores: decoders
    /// often hand transparent pixels over as black (premultiplied alpha).
    /// </summary>
    public static (int R, int G, int B) Rgb(ReadOnlySpan<byte> pixel, PixelFormat format, byte backdrop)
    {
        (int r, int g, int b) = Stored(pixel, format);
        if (!HasAlpha(format) || pixel[3] == 255)
        {
            return (r, g, b);
        }

        int alpha = pixel[3];
        return (Blend(r, alpha, backdrop, format), Blend(g, alpha, backdrop, format), Blend(b, alpha, backdrop, format));
    }

    /// <summary>The red, green and blue bytes as stored, whatever their order; premultiplied ones stay premultiplied.</summary>
    public static (int R, int G, int B) Stored(ReadOnlySpan<byte> pixel, PixelFormat format) =>
        format is PixelFormat.Bgra32 or PixelFormat.Bgra32Premultiplied ? (pixel[2], pixel[1], pixel[0]) : (pixel[0], pixel[1], pixel[2]);

    /// <summary>Whether the format's fourth byte is alpha.</summary>
    public static bool HasAlpha(PixelFormat format) =>
        format is PixelFormat.Rgba32 or PixelFormat.Bgra32 or PixelFormat.Rgba32Premultiplied or PixelFormat.Bgra32Premultiplied;

    /// <summary>
    /// How much of a stored color shows, out of 255: its alpha for straight formats; all of it for premultiplied ones,
    /// whose color already carries its alpha.
    /// </summary>
    public static int ColorWeight(int alpha, PixelFormat format) =>
        format is PixelFormat.Rgba32Premultiplied or PixelFormat.Bgra32Premultiplied ? 255 : alpha;

    /// <summary>
    /// One stored channel blended onto the backdrop: (c·a + backdrop·(255 − a)) / 255 rounded for straight alpha, and
    /// c + backdrop·(255 − a) / 255 rounded alike for premultiplied alpha. Capped at 255: premultiplied bytes whose color
    /// exceeds their alpha are malformed, and must not wrap around to dark.
    /// </summary>
    public static int Blend(int channel, int alpha, byte backdrop, PixelFormat format) =>
        Math.Min(255, ((channel * ColorWeight(alpha, format)) + (backdrop * (255 - alpha)) + 127) / 255);

    /// <summary>8-bit luma (ITU-R BT.601), rounded.</summary>
    public static int Luma(int r, int g, int b) => ((299 * r) + (587 * g) + (114 * b) + 500) / 1000;
}
