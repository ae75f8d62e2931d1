namespace FewShot.Sdk.Data;

/// <summary>
/// A decoded image: 8-bit samples, row-major with channels interleaved, either one gray channel or RGBA that is opaque
/// (alpha 255: <see cref="ImageDecoder"/> composites transparent pixels onto the contrasting backdrop, FewShot.Runtime's <c>Transparency</c>). Immutable and thread-safe. Made by <see cref="ImageDecoder"/>.
/// </summary>
public sealed class DecodedImage
{
    private readonly byte[] samples;

    internal DecodedImage(int width, int height, int channels, byte[] samples)
    {
        Width = width;
        Height = height;
        Channels = channels;
        this.samples = samples;
    }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel: 1 for gray files, 4 (RGBA) for all others.</summary>
    public int Channels { get; }

    /// <summary>All samples, <c>[Height, Width, Channels]</c> in row-major order; valid while this image is alive.</summary>
    public ReadOnlySpan<byte> Samples => samples;

    /// <summary>
    /// Returns a fresh float32 tensor <c>[C, Height, Width]</c> with values in [0, 1] (sample / 255), C being 1 or 3
    /// as <paramref name="mode"/> says. Transparency is already composited by <see cref="ImageDecoder"/>.
    /// </summary>
    public float[] ToTensor(ImageColorMode mode)
    {
        int planes = mode == ImageColorMode.Grayscale ? 1 : 3;
        int pixels = Width * Height;
        var tensor = new float[planes * pixels];
        const double scale = 1.0 / 255;
        for (int p = 0; p < pixels; p++)
        {
            int s = p * Channels;
            // Gray pixels (gray files, and gray-with-alpha files that Skia widens to RGBA) keep their exact value; for
            // every 8-bit g the luma rule below rounds to the same float, so this matches it bit for bit.
            if (Channels == 1 || (samples[s] == samples[s + 1] && samples[s] == samples[s + 2]))
            {
                float gray = (float)(samples[s] * scale);
                for (int c = 0; c < planes; c++)
                {
                    tensor[(c * pixels) + p] = gray;
                }
            }
            else if (planes == 1)
            {
                tensor[p] = (float)(((0.299 * samples[s]) + (0.587 * samples[s + 1]) + (0.114 * samples[s + 2])) * scale);
            }
            else
            {
                tensor[p] = (float)(samples[s] * scale);
                tensor[pixels + p] = (float)(samples[s + 1] * scale);
                tensor[(2 * pixels) + p] = (float)(samples[s + 2] * scale);
            }
        }

        return tensor;
    }

    /// <summary>
    /// Like <see cref="ToTensor(ImageColorMode)"/>, resized to <paramref name="height"/>×<paramref name="width"/>
    /// by area averaging (<see cref="AreaResizer"/>); the result is <c>[C, height, width]</c>.
    /// </summary>
    public float[] ToTensor(ImageColorMode mode, int height, int width)
    {
        float[] full = ToTensor(mode);
        if (height == Height && width == Width)
        {
            return full;
        }

        var resizer = new AreaResizer(Height, Width, height, width);
        int planes = full.Length / (Width * Height);
        var resized = new float[planes * height * width];
        for (int c = 0; c < planes; c++)
        {
            resizer.Resize(full.AsSpan(c * Width * Height, Width * Height), resized.AsSpan(c * height * width, height * width));
        }

        return resized;
    }
}
