using System.Globalization;
using System.Text;
using SkiaSharp;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

public sealed class PlotCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-plot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A falling loss, a rising accuracy and a validation every 50 iterations, as the trainer writes them.</summary>
    private static string SyntheticMetrics(int iterations)
    {
        var text = new StringBuilder();
        for (var i = 1; i <= iterations; i++)
        {
            var noise = Math.Sin(i * 12.9898) * 0.1;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"iteration\":{i},\"loss\":{(1.6 * Math.Exp(-i / 80.0)) + 0.2 + noise:R},\"metric\":{0.95 - (0.7 * Math.Exp(-i / 60.0)) + noise:R},\"seconds\":{i * 0.05:F3}}}"));
            if (i % 50 == 0)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"iteration\":{i},\"validation\":{{\"mean\":{0.9 - (0.6 * Math.Exp(-i / 70.0)):R},\"ci95\":0.03,\"episodes\":100}}}}"));
            }
        }

        return text.ToString();
    }

    [Fact]
    public void DrawsAPngOfTheCurvesThatDecodesToTheFigureSize()
    {
        File.WriteAllText(Path.Combine(_folder, "metrics.jsonl"), SyntheticMetrics(300));
        var png = Path.Combine(_folder, "out", "curves.png");
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);

        var result = Run("plot", "--run", _folder, "--out", png);

        Assert.True(result.Exit == 0, result.Error);
        Assert.Contains("300 iterations, 6 validations", result.Output);
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((1400, 560), (bitmap.Width, bitmap.Height));
        var background = bitmap.GetPixel(2, 2);
        var colored = 0;
        var drawn = 0;
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var pixel = bitmap.GetPixel(x, y);
                drawn += pixel != background ? 1 : 0;
                colored += Math.Max(Math.Max(pixel.Red, pixel.Green), pixel.Blue) - Math.Min(Math.Min(pixel.Red, pixel.Green), pixel.Blue) > 80 ? 1 : 0;
            }
        }

        Assert.Equal(SKColors.White, background);
        Assert.True(drawn > 2000, $"only {drawn} sampled pixels differ from the background");
        Assert.True(colored > 300, $"only {colored} sampled pixels are colored: the curves are missing");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(png)!, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void AnOutFileNamedForAnotherFormatIsRefusedAndNotWritten()
    {
        File.WriteAllText(Path.Combine(_folder, "metrics.jsonl"), SyntheticMetrics(1));
        var jpeg = Path.Combine(_folder, "curves.jpg");

        var result = Run("plot", "--run", _folder, "--out", jpeg);

        Assert.Equal(1, result.Exit);
        Assert.Contains("ends in '.jpg', but the plot is written as PNG", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(jpeg));
    }

    [Fact]
    public void WritesIntoTheRunFolderByDefault()
    {
        File.WriteAllText(Path.Combine(_folder, "metrics.jsonl"), SyntheticMetrics(1));

        var result = Run("plot", "--run", _folder);

        Assert.True(result.Exit == 0, result.Error);
        Assert.True(File.Exists(Path.Combine(_folder, "curves.png")));
    }

    [Fact]
    public void TakesTheRunFolderAsItsArgumentToo()
    {
        File.WriteAllText(Path.Combine(_folder, "metrics.jsonl"), SyntheticMetrics(1));

        var alone = Run("plot", _folder);
        var both = Run("plot", _folder, "--run", _folder);

        Assert.True(alone.Exit == 0, alone.Error);
        Assert.True(both.Exit == 0, both.Error);
        Assert.True(File.Exists(Path.Combine(_folder, "curves.png")));
    }

    [Fact]
    public void ARunFolderGivenTwiceOrNotAtAllIsAClearError()
    {
        var twice = Run("plot", _folder, "--run", Path.Combine(_folder, "other"));
        var none = Run("plot");

        Assert.Equal(1, twice.Exit);
        Assert.Contains("the run folder is given twice", twice.Error);
        Assert.Equal(1, none.Exit);
        Assert.Contains("give the run folder: fewshot plot <run-folder>", none.Error);
    }

    [Fact]
    public void MissingMetricsFileIsAClearError()
    {
        var result = Run("plot", "--run", _folder);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: no metrics file at", result.Error);
        Assert.Contains("metrics.jsonl", result.Error);
    }

    [Fact]
    public void MissingRunFolderIsAClearError()
    {
        var result = Run("plot", "--run", Path.Combine(_folder, "nope"));

        Assert.Equal(1, result.Exit);
        Assert.Contains("does not exist", result.Error);
    }

    [Theory]
    [InlineData("{\"iteration\":1,\"loss\":0.5,\"metric\":0.2,\"seconds\":0.1}\nnot json\n", "line 2")]
    [InlineData("{\"iteration\":1,\"metric\":0.2}\n", "line 1")]
    [InlineData("\n", "no training iterations")]
    public void BadMetricsFileIsAClearErrorAndWritesNothing(string content, string expected)
    {
        File.WriteAllText(Path.Combine(_folder, "metrics.jsonl"), content);

        var result = Run("plot", "--run", _folder);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains(expected, result.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "curves.png")));
    }
}
