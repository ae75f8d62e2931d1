namespace FewShot.Sdk.Data;

/// <summary>The color types of the PNG specification; the values are those stored in the IHDR chunk.</summary>
public enum PngColorType
{
    /// <summary>Gray samples, 1, 2, 4, 8 or 16 bits each.</summary>
    Grayscale = 0,

    /// <summary>Red, green and blue samples, 8 or 16 bits each.</summary>
    Rgb = 2,

    /// <summary>Indices of 1, 2, 4 or 8 bits into a palette of 8-bit RGB entries (with optional alpha from tRNS).</summary>
    Palette = 3,

    /// <summary>Gray and alpha samples, 8 or 16 bits each.</summary>
    GrayscaleAlpha = 4,

    /// <summary>Red, green, blue and alpha samples, 8 or 16 bits each.</summary>
    Rgba = 6,
}
