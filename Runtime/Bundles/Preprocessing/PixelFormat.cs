namespace FewShot.Runtime.Bundles;

/// <summary>How an image's bytes are laid out: 8 bits per channel, row-major, rows packed without padding.</summary>
public enum PixelFormat
{
    /// <summary>One byte per pixel: the gray level, 0 black to 255 white.</summary>
    Gray8,

    /// <summary>Three bytes per pixel: red, green, blue.</summary>
    Rgb24,

    /// <summary>Four bytes per pixel: red, green, blue, alpha (unpremultiplied; transparent pixels are composited onto the backdrop that contrasts with the visible ones, <see cref="Transparency"/>: white behind dark strokes, black behind bright ones).</summary>
    Rgba32,

    /// <summary>Four bytes per pixel: blue, green, red, alpha (unpremultiplied; composited as <see cref="Rgba32"/>), as many Windows and Skia surfaces store it.</summary>
    Bgra32,
}
