namespace FewShot.Cli.Tests;

/// <summary>Class folders of small PNGs for tests of folder data.</summary>
internal static class Images
{
    /// <summary>
    /// <paramref name="classes"/> class folders c{first}… of three <paramref name="size"/>×<paramref name="size"/> PNGs each:
    /// a white bar on black, at an angle of the class's own.
    /// </summary>
    public static void WriteClasses(string folder, int classes, int size, int first = 0)
    {
        for (var c = first; c < first + classes; c++)
        {
            for (var i = 0; i < 3; i++)
            {
                var path = Path.Combine(folder, $"c{c}", $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(size, size, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
                using (var canvas = new SkiaSharp.SKCanvas(bitmap))
                using (var paint = new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.White, StrokeWidth = size / 9f })
                {
                    canvas.Clear(SkiaSharp.SKColors.Black);
                    canvas.RotateDegrees(25 * c, size / 2f, size / 2f);
                    canvas.DrawLine(size / 7f + i, size / 2f, size * 6 / 7f + i, size / 2f, paint);
                }

                using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(path, data.ToArray());
            }
        }
    }
}
