using System.Text.Json;
using FewShot.Tests.Shared;
using SkiaSharp;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// <c>fewshot eval model.fewshot</c>: a bundle without its run folder (a shipped model) is measured through
/// FewShot.Runtime on the test classes of the data its manifest names, on the episodes its run would be measured on.
/// </summary>
// In-process meta-training on libtorch inside a .NET no-collection region (see ExportAdaptCommandTests).
[Collection(SerialCollection.Name)]
public sealed class EvalBundleCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-eval-bundle-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("protonet")]
    [InlineData("maml")]
    public void ABundleMeasuresAsItsRunDoesThroughTheRuntime(string algorithm)
    {
        var data = RandomExampleSets.Write(_folder, "arrays.npz", count: 60, seed: 4, classes: 10);
        var run = Path.Combine(_folder, algorithm);
        var bundle = run + ".fewshot";
        var train = Run("train", "--algorithm", algorithm, "--dataset", "npz", "--data", data, "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "8", "--threads", "1", "--iterations", "2", "--seed", "5", "--out", run);
        Assert.True(train.Exit == 0, train.Error);
        Assert.Equal(0, Run("export", run, "--out", bundle, "--episodes", "0").Exit);
        File.Move(data, data + ".moved"); // the bundle names its data by kind; --data says where it is now

        var fromRun = Run("eval", run, "--runtime", "--episodes", "12", "--json", "--data", data + ".moved");
        var fromBundle = Run("eval", bundle, "--data", data + ".moved", "--ways", "2", "--queries", "2", "--episodes", "12", "--json");

        Assert.True(fromRun.Exit == 0, fromRun.Error);
        Assert.True(fromBundle.Exit == 0, fromBundle.Error);
        using var expected = JsonDocument.Parse(fromRun.Output);
        using var measured = JsonDocument.Parse(fromBundle.Output);
        foreach (var field in (string[])["accuracy", "ci95", "ways", "shots", "queriesPerClass", "steps", "episodes"])
        {
            Assert.Equal(expected.RootElement.GetProperty(field).GetRawText(), measured.RootElement.GetProperty(field).GetRawText());
        }

        Assert.Equal("runtime", measured.RootElement.GetProperty("engine").GetString());
        Assert.Equal(algorithm, measured.RootElement.GetProperty("algorithm").GetString());
    }

    [Fact]
    public void AnRgbFolderRunsBundleIsMeasuredInColor_AndAdaptsFromColorImages()
    {
        // Before --color, folder runs were gray; eval of a bundle rebuilds the run's data, which must read three channels here.
        var root = Path.Combine(_folder, "parts");
        for (var c = 0; c < 8; c++)
        {
            for (var i = 0; i < 3; i++)
            {
                WriteColorPng(Path.Combine(root, $"part{c}", $"{i}.png"), new SKColor((byte)(c * 30), (byte)(200 - (c * 20)), (byte)(i * 40)));
            }
        }

        var run = Path.Combine(_folder, "rgb");
        var bundle = run + ".fewshot";
        var train = Run("train", "--algorithm", "protonet", "--dataset", "folder", "--data", root, "--color", "rgb", "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "8", "--threads", "1", "--iterations", "2", "--out", run);
        Assert.True(train.Exit == 0, train.Error);
        Assert.Contains("\"color\": \"rgb\"", File.ReadAllText(Path.Combine(run, "run.json")));
        var export = Run("export", run, "--out", bundle, "--episodes", "0");
        Assert.True(export.Exit == 0, export.Error);

        var fromRun = Run("eval", run, "--runtime", "--episodes", "6", "--json");
        var fromBundle = Run("eval", bundle, "--data", root, "--ways", "2", "--queries", "2", "--episodes", "6", "--json");
        var adapt = Run("adapt", "--model", bundle, "--support", root, "--query", Path.Combine(root, "part1", "0.png"));

        Assert.True(fromBundle.Exit == 0, fromBundle.Error);
        using var expected = JsonDocument.Parse(fromRun.Output);
        using var measured = JsonDocument.Parse(fromBundle.Output);
        Assert.Equal(expected.RootElement.GetProperty("accuracy").GetRawText(), measured.RootElement.GetProperty("accuracy").GetRawText());
        Assert.True(adapt.Exit == 0, adapt.Error);
    }

    [Fact]
    public void WithoutQueriesABundleOnSmallClassesTakesAsManyAsTheSmallestClassHoldsAfterTheShots()
    {
        // The manifest does not record the run's queries; 15 by default refused data of 12 images a class until --queries 3.
        var root = Path.Combine(_folder, "small");
        for (var c = 0; c < 8; c++)
        {
            for (var i = 0; i < (c == 5 ? 3 : 4); i++)
            {
                WriteColorPng(Path.Combine(root, $"c{c}", $"{i}.png"), new SKColor((byte)(c * 30), (byte)(200 - (c * 20)), (byte)(i * 40)));
            }
        }

        var run = Path.Combine(_folder, "small-run");
        var bundle = run + ".fewshot";
        var train = Run("train", "--algorithm", "protonet", "--dataset", "folder", "--data", root, "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "8", "--threads", "1", "--iterations", "2", "--out", run);
        Assert.True(train.Exit == 0, train.Error);
        Assert.Equal(0, Run("export", run, "--out", bundle, "--episodes", "0").Exit);

        var fitted = Run("eval", bundle, "--data", root, "--ways", "2", "--episodes", "4", "--json");
        var none = Run("eval", bundle, "--data", root, "--ways", "2", "--shots", "3", "--episodes", "4");
        var given = Run("eval", bundle, "--data", root, "--ways", "2", "--queries", "15", "--episodes", "4");

        Assert.True(fitted.Exit == 0, fitted.Error);
        Assert.Equal($"note: 2 queries per class, not the default 15: class folder '{Path.Combine(root, "c5")}' has 3 images, 1 of them support examples (--queries sets the queries)",
            fitted.Error.Trim());
        using (var measured = JsonDocument.Parse(fitted.Output))
        {
            Assert.Equal(2, measured.RootElement.GetProperty("queriesPerClass").GetInt32());
        }

        Assert.Equal(1, none.Exit);
        Assert.Contains($"class folder '{Path.Combine(root, "c5")}' has 3 images, but 3-shot episodes need 4 of every class to leave one query: lower --shots, or add images", none.Error);
        Assert.Equal(1, given.Exit);
        Assert.Contains("episodes with 15 queries need 16 of every class", given.Error);
    }

    private static void WriteColorPng(string path, SKColor color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(20, 20, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var paint = new SKPaint { Color = color };
            canvas.DrawCircle(10, 10, 6, paint);
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void TheShippedProtoNetsBundleIsMeasuredOnOmniglotWithoutItsRunFolder()
    {
        var bundle = Path.Combine(RepoPaths.Root, "models", "omniglot-protonet-paper.fewshot");

        var eval = Run("eval", bundle, "--data", RepoPaths.Omniglot, "--queries", "5", "--episodes", "10", "--threads", "1", "--json");
        var withoutData = Run("eval", bundle, "--episodes", "10");
        var withSteps = Run("eval", bundle, "--data", RepoPaths.Omniglot, "--inner-steps", "3", "--episodes", "10");
        var missing = Run("eval", Path.Combine(_folder, "none.fewshot"), "--episodes", "10");

        Assert.True(eval.Exit == 0, eval.Error);
        using var json = JsonDocument.Parse(eval.Output);
        Assert.Equal("paper", json.RootElement.GetProperty("split").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("ways").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("shots").GetInt32());
        Assert.InRange(json.RootElement.GetProperty("accuracy").GetDouble(), 0.9, 1.0);
        Assert.Equal(1, withoutData.Exit);
        Assert.Contains("omniglot-protonet-paper.fewshot was meta-trained on omniglot data; give it with --data", withoutData.Error);
        Assert.Equal(1, withSteps.Exit);
        Assert.Contains("--inner-steps 3 has no effect: this protonet bundle adapts without gradient steps", withSteps.Error);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("none.fewshot' does not exist: give a run folder written by fewshot train, or a .fewshot bundle", missing.Error);
    }
}
