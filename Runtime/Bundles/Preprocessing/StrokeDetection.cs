namespace FewShot.Runtime.Bundles;

/// <summary>
/// Tells from a drawing itself whether its strokes are dark or bright (<see cref="StrokeTone.Auto"/>). Stateless and thread-safe.
/// </summary>
/// <remarks>
/// The paper is most of a drawing's pixels, so the median gray level is the paper's tone, whatever that tone is; the
/// strokes are the minority that pulls the mean away from it, so the side of the median on which the mean lies is the
/// strokes' side. Unlike a fixed threshold (mean or median against 0.5) this holds for gray paper, as in a photo of a page
/// (paper at 0.4 with black ink is still dark strokes), for thin and thick strokes alike as long as they cover less than half
/// the image, and for binary Omniglot scans and their inversions exactly. Levels are 8-bit luma (ITU-R BT.601), counted in a
/// histogram, so mean and median are compared exactly in integers. An image of one tone (or one whose mean is its median)
/// has no minority: light paper (median at least mid-gray) is taken as dark strokes, dark paper as bright strokes.
/// </remarks>
public static class StrokeDetection
{
    /// <summary>Which tone the strokes of an image have: <see cref="StrokeTone.Dark"/> or <see cref="StrokeTone.Bright"/>, never <see cref="StrokeTone.Auto"/>.</summary>
    /// <param name="pixels">The image, row-major, <paramref name="format"/>'s bytes per pixel, no row padding; read only during the call. Transparent pixels count as their <see cref="Transparency.Backdrop"/>.</param>
    /// <param name="width">Its width in pixels.</param>
    /// <param name="height">Its height in pixels.</param>
    /// <param name="format">How a pixel's bytes are laid out.</param>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold width × height pixels of that format.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative, or the format is unknown.</exception>
    public static StrokeTone Detect(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format) =>
        DetectOnBackdrop(pixels, width, height, format, Transparency.Backdrop(pixels, width, height, format));

    /// <summary>As <see cref="Detect(ReadOnlySpan{byte}, int, int, PixelFormat)"/>, with the image's backdrop already found.</summary>
    internal static StrokeTone DetectOnBackdrop(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, byte backdrop)
    {
        int bytesPerPixel = Preprocessor.CheckPixels(pixels, width, height, format);
        Span<long> histogram = stackalloc long[256];
        histogram.Clear();
        for (int p = 0; p < pixels.Length; p += bytesPerPixel)
        {
            histogram[Luma(pixels.Slice(p, bytesPerPixel), format, backdrop)]++;
        }

        long count = (long)width * height;
        long sum = 0;
        for (int level = 0; level < 256; level++)
        {
            sum += level * histogram[level];
        }

        long median = Median(histogram, count);
        long meanAgainstMedian = sum - (median * count);
        return meanAgainstMedian < 0 ? StrokeTone.Dark
            : meanAgainstMedian > 0 ? StrokeTone.Bright
            : median * 2 >= 255 ? StrokeTone.Dark : StrokeTone.Bright;
    }

    // The lower median: the smallest level that at least half of the pixels are at or below.
    private static long Median(ReadOnlySpan<long> histogram, long count)
    {
        long seen = 0;
        for (int level = 0; level < histogram.Length; level++)
        {
            seen += histogram[level];
            if (2 * seen >= count)
            {
                return level;
            }
        }

        return histogram.Length - 1;
    }

    private static int Luma(ReadOnlySpan<byte> pixel, PixelFormat format, byte backdrop)
    {
        if (format == PixelFormat.Gray8)
        {
            return pixel[0];
        }

        (int r, int g, int b) = PixelColor.Rgb(pixel, format, backdrop);
        return PixelColor.Luma(r, g, b);
    }
}
