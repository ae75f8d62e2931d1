namespace FewShot.Runtime.Bundles;

/// <summary>
/// What the transparent pixels of an image become: the one rule that <see cref="Preprocessor"/>, <see cref="StrokeDetection"/>
/// and the Sdk's image decoder (and so <c>fewshot adapt</c> and training on image folders) share. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// A transparent pixel has no color of its own; it shows whatever lies behind the image. FewShot puts behind each image the
/// backdrop that contrasts with what the image shows: <b>black</b> when its visible pixels are mostly bright (their mean
/// luma, each pixel weighted by its alpha, above mid-gray: white chalk strokes on a transparent background), <b>white</b>
/// otherwise (dark ink on a transparent background, as before, and an image with no visible pixel). A white backdrop alone
/// turned bright strokes into white on white, a blank input that adapts to chance accuracy without a word.
/// </para>
/// <para>
/// Partly transparent pixels (antialiased edges) are blended onto the same backdrop, c' = (c·a + backdrop·(255 − a)) / 255
/// rounded, so a half-transparent edge of a white stroke is mid-gray on black, as that of a black stroke is on white.
/// Premultiplied formats store c·a / 255 already, so theirs is c' = c + backdrop·(255 − a) / 255, rounded alike, and the
/// luma of their stored color enters the backdrop's alpha-weighted mean with weight 255, not a, as it carries its alpha
/// already. Opaque images, and <see cref="PixelFormat.Gray8"/> and <see cref="PixelFormat.Rgb24"/> ones, are unchanged.
/// </para>
/// <para>
/// One case reads worse than on white: an opaque light page with transparent margins (a rotated scan) is mostly bright, so
/// its margins turn black. Composite such an image onto the page's color yourself, or crop it, before handing it over.
/// </para>
/// </remarks>
public static class Transparency
{
    /// <summary>The gray level, 0 (black) or 255 (white), that the transparent pixels of this image are composited onto.</summary>
    /// <param name="pixels">The image, row-major, <paramref name="format"/>'s bytes per pixel, no row padding; read only during the call.</param>
    /// <param name="width">Its width in pixels.</param>
    /// <param name="height">Its height in pixels.</param>
    /// <param name="format">How a pixel's bytes are laid out; formats without alpha always give 255.</param>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold width × height pixels of that format.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative, or the format is unknown.</exception>
    public static byte Backdrop(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format)
    {
        Preprocessor.CheckPixels(pixels, width, height, format);
        if (!PixelColor.HasAlpha(format))
        {
            return 255;
        }

        long weightedLuma = 0;
        long alphaSum = 0;
        for (int p = 0; p < pixels.Length; p += 4)
        {
            int alpha = pixels[p + 3];
            (int r, int g, int b) = PixelColor.Stored(pixels.Slice(p, 4), format);
            weightedLuma += (long)PixelColor.Luma(r, g, b) * PixelColor.ColorWeight(alpha, format);
            alphaSum += alpha;
        }

        // Mean luma above 127.5, compared in integers; a tie, or nothing visible, keeps white paper.
        return 2 * weightedLuma > 255 * alphaSum ? (byte)0 : (byte)255;
    }

    /// <summary>
    /// Composites an image with alpha (<see cref="PixelFormat.Rgba32"/>, <see cref="PixelFormat.Bgra32"/> and their
    /// premultiplied forms) onto its <see cref="Backdrop"/> in place: every pixel's color becomes what it shows there, and
    /// its alpha 255, which reads the same straight or premultiplied. Other formats are left as they are.
    /// </summary>
    /// <inheritdoc cref="Backdrop"/>
    public static void Composite(Span<byte> pixels, int width, int height, PixelFormat format)
    {
        byte backdrop = Backdrop(pixels, width, height, format);
        if (!PixelColor.HasAlpha(format))
        {
            return;
        }

        for (int p = 0; p < pixels.Length; p += 4)
        {
            int alpha = pixels[p + 3];
            for (int c = p; c < p + 3; c++)
            {
                pixels[c] = (byte)PixelColor.Blend(pixels[c], alpha, backdrop, format);
            }

            pixels[p + 3] = 255;
        }
    }
}
