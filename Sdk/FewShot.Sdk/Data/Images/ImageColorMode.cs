namespace FewShot.Sdk.Data;

/// <summary>The channels that an image becomes as a float32 tensor.</summary>
public enum ImageColorMode
{
    /// <summary>One channel: gray as stored, or the ITU-R 601-2 luma 0.299 R + 0.587 G + 0.114 B of color images.</summary>
    Grayscale,

    /// <summary>Three channels, red, green and blue; gray images repeat their one channel.</summary>
    Rgb,
}
