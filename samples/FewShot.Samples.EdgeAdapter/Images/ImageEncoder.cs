using FewShot.Runtime.Bundles;

namespace FewShot.Samples.EdgeAdapter.Images;

/// <summary>
/// Turns PGM images into a bundle's input: single-channel [1, H, W] floats, strokes 1.0 and background 0.0
/// (the normalization of the Omniglot bundles), resized to H×W by area averaging. Immutable and thread-safe.
/// </summary>
public sealed class ImageEncoder
{
    /// <summary>Creates an encoder for an input of <paramref name="height"/>×<paramref name="width"/> pixels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    public ImageEncoder(int height, int width, StrokeColor strokes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Height = height;
        Width = width;
        Strokes = strokes;
    }

    /// <summary>The model's input height in pixels.</summary>
    public int Height { get; }

    /// <summary>The model's input width in pixels.</summary>
    public int Width { get; }

    /// <summary>Which gray levels are strokes.</summary>
    public StrokeColor Strokes { get; }

    /// <summary>Floats per encoded image: <see cref="Height"/> × <see cref="Width"/>.</summary>
    public int ExampleSize => Height * Width;

    /// <summary>An encoder for a bundle whose input is one image channel, [1, H, W].</summary>
    /// <exception cref="NotSupportedException">The bundle's input is not [1, H, W].</exception>
    public static ImageEncoder ForModel(FewShotModel model, StrokeColor strokes)
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<long> shape = model.Manifest.Input.Shape;
        if (shape.Count != 3 || shape[0] != 1 || shape[1] is < 1 or > int.MaxValue || shape[2] is < 1 or > int.MaxValue)
        {
            throw new NotSupportedException($"This sample feeds single-channel images, [1, H, W], but the bundle's input is [{string.Join(", ", shape)}].");
        }

        return new ImageEncoder((int)shape[1], (int)shape[2], strokes);
    }

    /// <summary>Encodes one image into <paramref name="destination"/> (<see cref="ExampleSize"/> floats).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not <see cref="ExampleSize"/> floats long.</exception>
    public void Encode(PgmImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (destination.Length != ExampleSize)
        {
            throw new ArgumentException($"The destination holds {destination.Length} floats; one example is {ExampleSize}.", nameof(destination));
        }

        var levels = new float[image.Pixels.Length];
        ReadOnlySpan<byte> pixels = image.Pixels;
        for (int i = 0; i < levels.Length; i++)
        {
            float gray = pixels[i] / 255f;
            levels[i] = Strokes == StrokeColor.Dark ? 1f - gray : gray;
        }

        AreaResize.Resize(levels, image.Height, image.Width, Height, Width).CopyTo(destination);
    }

    /// <summary>Reads and encodes PGM files into one row-major batch, [files.Count, 1, H, W].</summary>
    /// <returns>A fresh array owned by the caller.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not an 8-bit binary PGM; the message names it.</exception>
    public float[] EncodeFiles(IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var batch = new float[files.Count * ExampleSize];
        for (int i = 0; i < files.Count; i++)
        {
            Encode(PgmReader.Read(files[i]), batch.AsSpan(i * ExampleSize, ExampleSize));
        }

        return batch;
    }
}
