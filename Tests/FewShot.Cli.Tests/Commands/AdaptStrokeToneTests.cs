using System.Text.Json;
using FewShot.Sdk.Data;
using FewShot.Tests.Shared;
using SkiaSharp;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// <c>fewshot adapt</c> with a shipped Omniglot bundle (strokes 1.0) on Omniglot drawings saved as ordinary PNGs: dark ink on
/// white, white on black, or dark ink or white chalk on a transparent background all give the same predictions by default (--strokes auto),
/// the ones that --strokes dark and the old --invert give dark-on-light images.
/// </summary>
public sealed class AdaptStrokeToneTests : IDisposable
{
    private static readonly int[] Characters = [0, 40, 80, 120, 160];
    private const int Drawings = 5;
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-strokes-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string ShippedProtoNet => Path.Combine(RepoPaths.Root, "models", "omniglot-protonet-paper.fewshot");

    private enum Look
    {
        DarkOnWhite,
        WhiteOnBlack,
        DarkOnTransparent,
        WhiteOnTransparent,
    }

    [Fact]
    public void EveryLookOfTheSameDrawingsGivesThePredictionsOfDarkStrokes()
    {
        string[] DarkAdapt(params string[] extra) => ["adapt", "--model", ShippedProtoNet, "--support", Write(Look.DarkOnWhite, "support"), "--query", Write(Look.DarkOnWhite, "query"), "--json", .. extra];

        string dark = Predictions(DarkAdapt("--strokes", "dark"), out double accuracy);
        Assert.True(accuracy >= 0.85, $"5-way 1-shot accuracy {accuracy} on dark strokes");
        Assert.Equal(dark, Predictions(DarkAdapt(), out _));
        Assert.Equal(dark, Predictions(DarkAdapt("--invert"), out _));
        Assert.Equal(dark, Predictions(DarkAdapt("--invert", "--strokes", "dark"), out _));
        Assert.NotEqual(dark, Predictions(DarkAdapt("--strokes", "bright"), out _));
        foreach (var look in new[] { Look.WhiteOnBlack, Look.DarkOnTransparent, Look.WhiteOnTransparent })
        {
            Assert.Equal(dark, Predictions(["adapt", "--model", ShippedProtoNet, "--support", Write(look, "support"), "--query", Write(look, "query"), "--json"], out _));
        }
    }

    [Fact]
    public void InvertWithAContradictingStrokesIsRefused()
    {
        var images = Write(Look.DarkOnWhite, "support");

        var result = Run("adapt", "--model", ShippedProtoNet, "--support", images, "--query", images, "--invert", "--strokes", "bright");

        Assert.Equal(1, result.Exit);
        Assert.Contains("--invert and --strokes bright contradict each other: for this bundle --invert is the old spelling of --strokes dark", result.Error);
        Assert.NotEqual(0, Run("adapt", "--model", ShippedProtoNet, "--support", images, "--query", images, "--strokes", "pale").Exit);
    }

    [Fact]
    public void AStrokeToneForABundleOfImagesTakenAsTheyAreIsRefused()
    {
        // A bundle trained on class folders' images (bright = background): before, --strokes bright turned every image's
        // levels round without a word, and a folder bundle's three queries all became one class.
        var bundle = Path.Combine(_folder, "photos.fewshot");
        BundleManifests.CopyWithReplaced(ShippedProtoNet, bundle, "\"bright\": \"strokes\"", "\"bright\": \"background\"");

        var images = Write(Look.DarkOnWhite, "support");

        var bright = Run("adapt", "--model", bundle, "--support", images, "--query", images, "--strokes", "bright");
        var dark = Run("adapt", "--model", bundle, "--support", images, "--query", images, "--strokes", "dark");
        var invert = Run("adapt", "--model", bundle, "--support", images, "--query", images, "--invert");

        Assert.Equal(1, bright.Exit);
        Assert.Contains("--strokes bright: this bundle takes images as they are (input.preprocessing.bright = background", bright.Error);
        Assert.Equal(1, dark.Exit);
        Assert.True(invert.Exit == 0, invert.Error);
    }

    [Fact]
    public void AQueryOfOneImageFileGetsThePredictionItGetsInItsFolder()
    {
        var support = Write(Look.DarkOnWhite, "support");
        var query = Write(Look.DarkOnWhite, "query");
        var image = Path.Combine(query, $"c{Characters[2]}", "1.png");
        using var all = JsonDocument.Parse(Run("adapt", "--model", ShippedProtoNet, "--support", support, "--query", query, "--json").Output);
        var expected = all.RootElement.GetProperty("predictions").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == Path.GetRelativePath(query, image)).GetProperty("label").GetString();

        var result = Run("adapt", "--model", ShippedProtoNet, "--support", support, "--query", image, "--json");

        Assert.True(result.Exit == 0, result.Error);
        using var one = JsonDocument.Parse(result.Output);
        var prediction = Assert.Single(one.RootElement.GetProperty("predictions").EnumerateArray());
        Assert.Equal("1.png", prediction.GetProperty("name").GetString());
        Assert.Equal(expected, prediction.GetProperty("label").GetString());
    }

    private static string Predictions(string[] args, out double accuracy)
    {
        var result = Run(args);
        Assert.True(result.Exit == 0, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        accuracy = json.RootElement.GetProperty("accuracy").GetDouble();
        return json.RootElement.GetProperty("predictions").GetRawText();
    }

    // Drawing 0 of each character as the support, drawings 1 to 4 as queries, as 105×105 PNGs that look as asked.
    private string Write(Look look, string set)
    {
        var root = Path.Combine(_folder, $"{look}-{set}");
        if (Directory.Exists(root))
        {
            return root;
        }

        using var npz = NpzReader.Open(Path.Combine(RepoPaths.Omniglot, "images_evaluation.npz"));
        using var stream = npz.OpenEntry("images");
        NpyReader.ReadHeader(stream);
        var paper = new byte[105 * 105];
        for (int c = 0; c <= Characters[^1]; c++)
        {
            for (int d = 0; d < 20; d++)
            {
                stream.ReadExactly(paper);
                if (Characters.Contains(c) && d < Drawings && (set == "support") == (d == 0))
                {
                    Directory.CreateDirectory(Path.Combine(root, $"c{c}"));
                    File.WriteAllBytes(Path.Combine(root, $"c{c}", $"{d}.png"), Encode(paper, look));
                }
            }
        }

        return root;
    }

    private static byte[] Encode(byte[] paper, Look look)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(105, 105, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = new byte[105 * 105 * 4];
        for (int p = 0; p < paper.Length; p++)
        {
            bool ink = paper[p] == 0;
            (byte level, byte alpha) = look switch
            {
                Look.DarkOnWhite => (ink ? (byte)0 : (byte)255, (byte)255),
                Look.WhiteOnBlack => (ink ? (byte)255 : (byte)0, (byte)255),
                Look.DarkOnTransparent => ((byte)0, ink ? (byte)255 : (byte)0),

                // Stored white under the transparent pixels too: composited onto white paper, this was a blank image.
                _ => ((byte)255, ink ? (byte)255 : (byte)0),
            };
            pixels[p * 4] = pixels[(p * 4) + 1] = pixels[(p * 4) + 2] = level;
            pixels[(p * 4) + 3] = alpha;
        }

        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
