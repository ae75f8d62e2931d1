using FewShot.Bundles;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Turns an image into a bundle's input exactly as its manifest's <see cref="ManifestInput.Preprocessing"/> says, so
/// apps stop re-implementing it: channels taken as the model wants them, area-averaged to the input's height and width
/// (<see cref="AreaResizer"/>, the code the Sdk trains with), values mapped to the manifest's range with the right part
/// bright, then <see cref="ManifestInput.Normalization"/>'s mean and std (when given). Immutable and thread-safe.
/// </summary>
/// <remarks>
/// The strokes' tone in the source image is the caller's to state or, by default (<see cref="StrokeTone.Auto"/>), each
/// image's to show (<see cref="StrokeDetection"/>); only bundles whose inputs are drawings (<see cref="BrightPart.Strokes"/>)
/// are toned by it. Transparent pixels (<see cref="PixelFormat.Rgba32"/>, <see cref="PixelFormat.Bgra32"/> and their
/// premultiplied forms) are composited first onto the backdrop that contrasts with the image's visible pixels
/// (<see cref="Transparency"/>: black behind bright strokes, white behind dark ones), as <c>fewshot adapt</c> does with image files.
/// </remarks>
public sealed class Preprocessor
{
    private readonly ManifestPreprocessing _steps;
    private readonly ManifestNormalization _normalization;
    private readonly int _channels;

    /// <summary>Prepares the preprocessing that <paramref name="input"/> describes.</summary>
    /// <exception cref="NotSupportedException">The manifest does not describe its preprocessing (null), so the caller must prepare inputs itself.</exception>
    public Preprocessor(ManifestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _steps = input.Preprocessing ?? throw new NotSupportedException(
            $"This bundle does not describe how images become its input (input.preprocessing is null); prepare inputs as its normalization says: \"{input.Normalization.Text}\".");
        _normalization = input.Normalization;
        _channels = (int)input.Shape[0];
        Height = (int)input.Shape[1];
        Width = (int)input.Shape[2];
    }

    /// <summary>The input height in pixels.</summary>
    public int Height { get; }

    /// <summary>The input width in pixels.</summary>
    public int Width { get; }

    /// <summary>Floats per preprocessed image: channels × height × width.</summary>
    public int ExampleSize => _channels * Height * Width;

    /// <summary>Preprocesses one image.</summary>
    /// <param name="pixels">The image, row-major, <paramref name="format"/>'s bytes per pixel, no row padding; read only during the call.</param>
    /// <param name="width">Its width in pixels.</param>
    /// <param name="height">Its height in pixels.</param>
    /// <param name="format">How a pixel's bytes are laid out.</param>
    /// <param name="strokes">
    /// Which pixels of this image are the strokes. <see cref="StrokeTone.Auto"/>, the default, lets the image decide
    /// (<see cref="StrokeDetection.Detect"/>) when the bundle's inputs are drawings (<see cref="BrightPart.Strokes"/>), and
    /// takes the image as it is otherwise (as <see cref="StrokeTone.Dark"/> does for such bundles).
    /// </param>
    /// <returns>A fresh array of <see cref="ExampleSize"/> floats, [channels, height, width] row-major, owned by the caller.</returns>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold width × height pixels of that format.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative, or the format is unknown.</exception>
    public float[] Preprocess(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, StrokeTone strokes = StrokeTone.Auto)
    {
        var destination = new float[ExampleSize];
        Preprocess(pixels, width, height, format, destination, strokes);
        return destination;
    }

    /// <summary>Preprocesses one image into <paramref name="destination"/> (<see cref="ExampleSize"/> floats, e.g. one example of a batch).</summary>
    /// <inheritdoc cref="Preprocess(ReadOnlySpan{byte}, int, int, PixelFormat, StrokeTone)"/>
    public void Preprocess(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, Span<float> destination, StrokeTone strokes = StrokeTone.Auto)
    {
        int bytesPerPixel = CheckPixels(pixels, width, height, format);
        if (destination.Length != ExampleSize)
        {
            throw new ArgumentException($"The destination holds {Counted.Of(destination.Length, "float", "floats")}; one example is {ExampleSize}.", nameof(destination));
        }

        byte backdrop = Transparency.Backdrop(pixels, width, height, format);
        StrokeTone tone = strokes switch
        {
            StrokeTone.Dark or StrokeTone.Bright => strokes,
            StrokeTone.Auto => _steps.Bright == BrightPart.Strokes ? StrokeDetection.DetectOnBackdrop(pixels, width, height, format, backdrop) : StrokeTone.Dark,
            _ => throw new ArgumentOutOfRangeException(nameof(strokes), strokes, "unknown stroke tone"),
        };
        var resizer = new AreaResizer(height, width, Height, Width);
        var plane = new float[width * height];
        int planeSize = Height * Width;
        for (int c = 0; c < _channels; c++)
        {
            for (int p = 0; p < plane.Length; p++)
            {
                plane[p] = Bright(Level(pixels.Slice(p * bytesPerPixel, bytesPerPixel), format, c, backdrop), tone);
            }

            Span<float> output = destination.Slice(c * planeSize, planeSize);
            resizer.Resize(plane, output);
            Scale(output, c);
        }
    }

    /// <summary>Checks that <paramref name="pixels"/> holds <paramref name="width"/> × <paramref name="height"/> pixels of <paramref name="format"/>.</summary>
    /// <returns>Bytes per pixel.</returns>
    internal static int CheckPixels(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        int bytesPerPixel = format switch
        {
            PixelFormat.Gray8 => 1,
            PixelFormat.Rgb24 => 3,
            _ when PixelColor.HasAlpha(format) => 4,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown pixel format"),
        };
        long expected = (long)width * height * bytesPerPixel;
        if (pixels.Length != expected)
        {
            throw new ArgumentException($"The image has {Counted.Of(pixels.Length, "byte", "bytes")}; {width}×{height} {format} pixels are {expected}.", nameof(pixels));
        }

        return bytesPerPixel;
    }

    // The gray level in [0, 1] of one pixel for model channel c: gray models take luma (ITU-R BT.601, as PIL's "L"), RGB models their channel.
    private float Level(ReadOnlySpan<byte> pixel, PixelFormat format, int channel, byte backdrop)
    {
        if (format == PixelFormat.Gray8)
        {
            return pixel[0] / 255f;
        }

        (int r, int g, int b) = PixelColor.Rgb(pixel, format, backdrop);
        if (_steps.Channels == ChannelOrder.Gray)
        {
            // A gray pixel keeps its exact level, so a gray drawing handed over as RGBA (as decoders widen gray with alpha)
            // gives the input of the gray file bit for bit; float32 luma is an ulp off for some levels.
            return r == g && g == b ? r / 255f : ((0.299f * r) + (0.587f * g) + (0.114f * b)) / 255f;
        }

        return (channel switch { 0 => r, 1 => g, _ => b }) / 255f;
    }

    // 1 where the model wants bright; for Omniglot (dark ink, strokes bright) a stroke pixel of level 0 gives exactly 1f, paper exactly 0f.
    private float Bright(float level, StrokeTone strokes)
    {
        float stroke = strokes == StrokeTone.Dark ? 1f - level : level;
        return _steps.Bright == BrightPart.Strokes ? stroke : 1f - stroke;
    }

    private void Scale(Span<float> values, int channel)
    {
        float min = _steps.Min;
        float span = _steps.Max - _steps.Min;
        float mean = _normalization.Mean is { } m ? m[m.Count == 1 ? 0 : channel] : 0f;
        float std = _normalization.Std is { } s ? s[s.Count == 1 ? 0 : channel] : 1f;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = ((min + (values[i] * span)) - mean) / std;
        }
    }
}
