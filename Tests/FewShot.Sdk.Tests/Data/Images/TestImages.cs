using SkiaSharp;

namespace FewShot.Sdk.Tests.Data.Images;

/// <summary>Writes test images with SkiaSharp's encoders: 1 channel gray, 3 RGB (opaque) or 4 RGBA (unpremultiplied).</summary>
internal static class TestImages
{
    public static byte[] Encode(int width, int height, int channels, byte[] samples, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100)
    {
        Assert.Equal(width * height * channels, samples.Length);
        var info = channels == 1
            ? new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(width, height, SKColorType.Rgba8888, channels == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var pixels = channels == 3 ? WithOpaqueAlpha(samples) : samples;
        using var bitmap = new SKBitmap(info);
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    public static void Write(string path, int width, int height, int channels, byte[] samples, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encode(width, height, channels, samples, format));
    }

    private static byte[] WithOpaqueAlpha(byte[] rgb)
    {
        var rgba = new byte[rgb.Length / 3 * 4];
        for (int p = 0; p < rgb.Length / 3; p++)
        {
            rgb.AsSpan(p * 3, 3).CopyTo(rgba.AsSpan(p * 4));
            rgba[(p * 4) + 3] = 255;
        }

        return rgba;
    }
}
