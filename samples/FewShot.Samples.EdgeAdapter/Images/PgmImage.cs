namespace FewShot.Samples.EdgeAdapter.Images;

/// <summary>An 8-bit grayscale image as read from a binary PGM file: 0 is black, 255 is white. Immutable.</summary>
public sealed class PgmImage
{
    private readonly byte[] _pixels;

    /// <summary>Creates an image from row-major pixels.</summary>
    /// <param name="width">Width in pixels, at least 1.</param>
    /// <param name="height">Height in pixels, at least 1.</param>
    /// <param name="pixels">Row-major gray levels, <paramref name="width"/> × <paramref name="height"/> bytes; kept, not copied, so not to be changed afterwards.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold width × height bytes.</exception>
    public PgmImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)width * height)
        {
            throw new ArgumentException($"A {width}×{height} image has {Counted.Of((long)width * height, "pixel", "pixels")}, but {pixels.Length} were given.", nameof(pixels));
        }

        Width = width;
        Height = height;
        _pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Row-major gray levels, 0 (black) to 255 (white).</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;
}
