namespace FewShot.Sdk.Data;

/// <summary>How <see cref="ImageFolder.Load"/> turns image files into examples. Defaults suit a 28×28 gray model.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>The example height in pixels that every image is resized to (area averaging). Default 28.</summary>
    public int Height { get; init; } = 28;

    /// <summary>The example width in pixels that every image is resized to (area averaging). Default 28.</summary>
    public int Width { get; init; } = 28;

    /// <summary>Whether examples are one gray channel or three RGB channels. Default <see cref="ImageColorMode.Grayscale"/>.</summary>
    public ImageColorMode ColorMode { get; init; } = ImageColorMode.Grayscale;
}
