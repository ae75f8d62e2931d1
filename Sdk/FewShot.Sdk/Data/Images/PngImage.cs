namespace FewShot.Sdk.Data;

/// <summary>
/// A decoded PNG image: integer samples, row-major with channels interleaved, at the file's own bit depth.
/// Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Palette images are expanded to their RGB (or RGBA, when a tRNS chunk is present) entries. Sample values run
/// from 0 to <see cref="MaxSampleValue"/>: 2^bitDepth − 1 for gray and direct color, 255 for palette entries.
/// </remarks>
public sealed class PngImage
{
    private readonly ushort[] samples;

    internal PngImage(int width, int height, int channels, PngColorType colorType, int bitDepth, int maxSampleValue, ushort[] samples)
    {
        Width = width;
        Height = height;
        Channels = channels;
        ColorType = colorType;
        BitDepth = bitDepth;
        MaxSampleValue = maxSampleValue;
        this.samples = samples;
    }

    /// <summary>The width in pixels.</summary>
    public int Width { get; }

    /// <summary>The height in pixels.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel: 1 gray, 2 gray and alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }

    /// <summary>The color type stored in the file.</summary>
    public PngColorType ColorType { get; }

    /// <summary>The bit depth stored in the file (for palette images, the bits per index).</summary>
    public int BitDepth { get; }

    /// <summary>The value of a full-intensity sample.</summary>
    public int MaxSampleValue { get; }

    /// <summary>All samples, <c>[Height, Width, Channels]</c> in row-major order; valid while this image is alive.</summary>
    public ReadOnlySpan<ushort> Samples => samples;

    /// <summary>Whether the last channel is alpha.</summary>
    public bool HasAlpha => Channels is 2 or 4;

    /// <summary>The sample of channel <paramref name="channel"/> at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public ushort GetSample(int x, int y, int channel)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)x, (uint)Width, nameof(x));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)y, (uint)Height, nameof(y));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)channel, (uint)Channels, nameof(channel));
        return samples[((y * Width) + x) * Channels + channel];
    }

    /// <summary>
    /// Returns a fresh float32 tensor <c>[C, Height, Width]</c> with values in [0, 1] (sample / <see cref="MaxSampleValue"/>),
    /// C being 1 or 3 as <paramref name="mode"/> says. Alpha is dropped, not composited, as PIL's
    /// <c>convert("L")</c> and <c>convert("RGB")</c> (and so torchvision's ImageFolder) do.
    /// </summary>
    public float[] ToTensor(ImageColorMode mode)
    {
        int planes = mode == ImageColorMode.Grayscale ? 1 : 3;
        int pixels = Width * Height;
        var tensor = new float[planes * pixels];
        double scale = 1.0 / MaxSampleValue;
        bool color = Channels >= 3;
        for (int p = 0; p < pixels; p++)
        {
            int s = p * Channels;
            if (!color)
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
