namespace FewShot.Runtime.Bundles;

/// <summary>How an image's bytes are laid out: 8 bits per channel, row-major, rows packed without padding.</summary>
/// <remarks>
/// The four-channel formats differ in channel order and in what the color bytes of a partly transparent pixel mean.
/// Straight (unpremultiplied) alpha stores the pixel's own color, as PNG files do; premultiplied alpha stores that color
/// already multiplied by alpha / 255, as SkiaSharp's and Android's bitmaps do by default and WPF's Pbgra32 does. Read
/// premultiplied bytes as straight and every antialiased edge is darkened once more; name the format that matches the source.
/// </remarks>
public enum PixelFormat
{
    /// <summary>One byte per pixel: the gray level, 0 black to 255 white.</summary>
    Gray8,

    /// <summary>Three bytes per pixel: red, green, blue.</summary>
    Rgb24,

    /// <summary>
    /// Four bytes per pixel: red, green, blue, straight (unpremultiplied) alpha, as a PNG's samples are and as SkiaSharp
    /// decodes into <c>SKColorType.Rgba8888</c> with <c>SKAlphaType.Unpremul</c> (what <c>fewshot adapt</c> reads image files as).
    /// Transparent pixels are composited onto the backdrop that contrasts with the visible ones (<see cref="Transparency"/>:
    /// white behind dark strokes, black behind bright ones).
    /// </summary>
    Rgba32,

    /// <summary>
    /// Four bytes per pixel: blue, green, red, straight (unpremultiplied) alpha, as WPF's <c>PixelFormats.Bgra32</c> and
    /// SkiaSharp's <c>SKColorType.Bgra8888</c> with <c>SKAlphaType.Unpremul</c> store it; composited as <see cref="Rgba32"/>.
    /// </summary>
    Bgra32,

    /// <summary>
    /// Four bytes per pixel: red, green, blue already multiplied by alpha, then alpha, as SkiaSharp's
    /// <c>SKColorType.Rgba8888</c> with <c>SKAlphaType.Premul</c> stores it (the alpha type <c>SKBitmap.Decode</c> and
    /// <c>new SKBitmap(width, height)</c> give) and as Android's <c>ARGB_8888</c> bitmaps, premultiplied by default, copy
    /// their pixels out (<c>Bitmap.copyPixelsToBuffer</c>); composited as <see cref="Rgba32"/>.
    /// </summary>
    Rgba32Premultiplied,

    /// <summary>
    /// Four bytes per pixel: blue, green, red already multiplied by alpha, then alpha, as WPF's <c>PixelFormats.Pbgra32</c>
    /// and SkiaSharp's <c>SKColorType.Bgra8888</c> with <c>SKAlphaType.Premul</c> store it (the alpha type of
    /// <c>SKBitmap.Decode</c> and <c>new SKBitmap(width, height)</c>); composited as <see cref="Rgba32"/>.
    /// </summary>
    Bgra32Premultiplied,
}
