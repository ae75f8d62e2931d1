namespace FewShot.Runtime.Bundles;

/// <summary>One pixel's red, green and blue as the eye sees it on white paper: the one reading of pixels that <see cref="Preprocessor"/> and <see cref="StrokeDetection"/> share.</summary>
internal static class PixelColor
{
    /// <summary>
    /// The pixel's color, with <see cref="PixelFormat.Rgba32"/> and <see cref="PixelFormat.Bgra32"/> alpha blended onto white
    /// (c' = (c·a + 255·(255 − a)) / 255, rounded, as the Sdk's ImageDecoder composites files), so a transparent pixel is
    /// paper, whatever color it stores: decoders often hand transparent pixels over as black (premultiplied alpha).
    /// </summary>
    public static (int R, int G, int B) Rgb(ReadOnlySpan<byte> pixel, PixelFormat format)
    {
        (int r, int g, int b) = format == PixelFormat.Bgra32 ? (pixel[2], pixel[1], pixel[0]) : (pixel[0], pixel[1], pixel[2]);
        if (format == PixelFormat.Rgb24 || pixel[3] == 255)
        {
            return (r, g, b);
        }

        int alpha = pixel[3];
        int paper = 255 * (255 - alpha);
        return (((r * alpha) + paper + 127) / 255, ((g * alpha) + paper + 127) / 255, ((b * alpha) + paper + 127) / 255);
    }
}
