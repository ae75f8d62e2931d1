using FewShot.Bundles;
using FewShot.Runtime.Bundles;

namespace FewShot.Samples.EdgeAdapter.Images;

/// <summary>
/// Turns PGM images into a bundle's input. The preprocessing itself (area averaging to the input size, strokes bright or
/// dark, value range) is the bundle's, applied by FewShot.Runtime's <see cref="Preprocessor"/>; this sample only reads
/// the files and says which pixels of its images are the strokes. Immutable and thread-safe.
/// </summary>
public sealed class ImageEncoder
{
    private readonly Preprocessor _preprocessor;

    /// <summary>Creates an encoder that applies <paramref name="preprocessor"/> to images whose strokes are <paramref name="strokes"/>.</summary>
    public ImageEncoder(Preprocessor preprocessor, StrokeTone strokes)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        _preprocessor = preprocessor;
        Strokes = strokes;
    }

    /// <summary>The model's input height in pixels.</summary>
    public int Height => _preprocessor.Height;

    /// <summary>The model's input width in pixels.</summary>
    public int Width => _preprocessor.Width;

    /// <summary>Which gray levels of the images are strokes.</summary>
    public StrokeTone Strokes { get; }

    /// <summary>Floats per encoded image.</summary>
    public int ExampleSize => _preprocessor.ExampleSize;

    /// <summary>An encoder for the bundle's own preprocessing.</summary>
    /// <exception cref="NotSupportedException">The bundle does not describe how images become its input.</exception>
    /// <exception cref="ArgumentException">A stroke tone is stated for a bundle whose inputs are not drawings.</exception>
    public static ImageEncoder ForModel(FewShotModel model, StrokeTone strokes)
    {
        ArgumentNullException.ThrowIfNull(model);
        var preprocessor = new Preprocessor(model.Manifest.Input);

        // For such a bundle (one trained on class folders' images) Bright would turn every image's levels round, without a word.
        if (strokes != StrokeTone.Auto && model.Manifest.Input.Preprocessing is { Bright: not BrightPart.Strokes })
        {
            throw new ArgumentException($"--strokes {strokes.ToString().ToLowerInvariant()}: this bundle takes images as they are (input.preprocessing.bright = background), "
                + "not drawings whose strokes could be dark or bright; leave --strokes out.");
        }

        return new ImageEncoder(preprocessor, strokes);
    }

    /// <summary>Encodes one image into <paramref name="destination"/> (<see cref="ExampleSize"/> floats).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not <see cref="ExampleSize"/> floats long.</exception>
    public void Encode(PgmImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        _preprocessor.Preprocess(image.Pixels, image.Width, image.Height, PixelFormat.Gray8, destination, Strokes);
    }

    /// <summary>Reads and encodes PGM files into one row-major batch, [files.Count, …input shape].</summary>
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
