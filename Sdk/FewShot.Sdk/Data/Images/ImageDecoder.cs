using FewShot.Runtime.Bundles;
using SkiaSharp;

namespace FewShot.Sdk.Data;

/// <summary>
/// Decodes image files (PNG and JPEG, and whatever else SkiaSharp reads: WebP, BMP, GIF) into <see cref="DecodedImage"/>s.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Pixels are taken as stored: no color-space conversion (embedded ICC profiles and gamma are ignored) and no EXIF
/// rotation, as PIL (and so torchvision's ImageFolder) reads them. Gray files decode to one exact 8-bit channel;
/// everything else decodes to 8-bit RGBA, so 16-bit files are reduced to 8 bits. Transparent pixels are composited
/// (alpha blending, rounded to the nearest 8-bit value) onto the backdrop that contrasts with the image's visible pixels,
/// by the rule FewShot.Runtime's preprocessing applies to RGBA pixels (<see cref="Transparency"/>), so every decoded image is
/// opaque: dark strokes on a transparent background read as dark strokes on white, bright (white chalk) strokes as
/// bright strokes on black, not as white on white. (PIL's <c>convert("L")</c> drops alpha instead, which turns such a
/// drawing into its transparent pixels' stored color, often black; fully opaque files decode the same either way.)
/// </remarks>
public static class ImageDecoder
{
    /// <summary>The most pixels an image may have (8192 × 8192): larger files are refused before allocation.</summary>
    public const long MaxPixelCount = 1L << 26;

    /// <summary>The file extensions (lower case, with the dot) that image folders pick up: PNG and JPEG.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg"];

    /// <summary>Whether <paramref name="path"/> has one of <see cref="Extensions"/>, in any letter case.</summary>
    public static bool IsImageFile(string path) =>
        Extensions.Any(extension => path.EndsWith(extension, StringComparison.OrdinalIgnoreCase));

    /// <summary>The format that an image file's extension names: "PNG" for .png, "JPEG" for .jpg and .jpeg (any letter case).</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> has none of <see cref="Extensions"/>.</exception>
    public static string FormatName(string path) =>
        path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "PNG"
        : path.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) ? "JPEG"
        : throw new ArgumentException($"'{path}' is not named as an image: expected one of {string.Join(", ", Extensions)}", nameof(path));

    /// <summary>Decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable image, or is truncated or corrupt; the message names the file.</exception>
    public static DecodedImage Decode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Decode(bytes);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Decodes a whole image file held in memory.</summary>
    /// <exception cref="InvalidDataException">The data is not a readable image, or is truncated or corrupt.</exception>
    public static DecodedImage Decode(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData)
            ?? throw new InvalidDataException($"not an image that can be decoded (PNG, JPEG, WebP, BMP or GIF expected; {(data.Length == 0 ? "the file is empty" : $"{data.Length} bytes starting {Convert.ToHexString(data.AsSpan(0, Math.Min(8, data.Length)))}")})");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || (long)width * height > MaxPixelCount)
        {
            throw new InvalidDataException($"{codec.EncodedFormat} image of {width}×{height} pixels; at most {MaxPixelCount} pixels are accepted");
        }

        bool gray = codec.Info.ColorType == SKColorType.Gray8;
        int channels = gray ? 1 : 4;

        // A null color space asks Skia for the stored values, untouched by any embedded profile.
        var info = new SKImageInfo(width, height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul, null);
        var pixels = new byte[width * height * channels];
        var result = codec.GetPixels(info, pixels);
        if (result != SKCodecResult.Success)
        {
            // IncompleteInput means Skia filled the missing rows itself: a truncated file must not pass as an image.
            throw new InvalidDataException($"{codec.EncodedFormat} image of {width}×{height} pixels could not be decoded: {Describe(result)}");
        }

        if (!gray && codec.Info.AlphaType != SKAlphaType.Opaque)
        {
            Transparency.Composite(pixels, width, height, PixelFormat.Rgba32);
        }

        return new DecodedImage(width, height, channels, pixels);
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the file is truncated",
        SKCodecResult.ErrorInInput => "the file is corrupt",
        _ => $"Skia reported {result}",
    };
}
