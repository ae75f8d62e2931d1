using System.Text.Json;
using FewShot.Sdk.Data;
using FewShot.Tests.Shared;
using Microsoft.ML.OnnxRuntime;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>train → export → adapt, as a user runs them, on Omniglot (ProtoNets) and on sinusoids (MAML).</summary>
// In-process meta-training on libtorch, whose trainer runs a meta-batch's tasks side by side inside a .NET
// no-collection region: other test classes' allocations in the same process could end that region mid-call (SerialCollection).
[Collection(SerialCollection.Name)]
public sealed class ExportAdaptCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-adapt-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ProtoNetBundleAdaptsToNewCharactersAndExportsPlainOnnx()
    {
        var run = Path.Combine(_folder, "proto");
        var bundle = Path.Combine(_folder, "proto.fewshot");
        Assert.Equal(0, Run("train", "--algorithm", "protonet", "--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--ways", "5", "--shots", "1",
            "--queries", "5", "--train-ways", "10", "--iterations", "30", "--channels", "16", "--out", run).Exit);
        var export = Run("export", "--run", run, "--out", bundle, "--episodes", "10");
        Assert.True(export.Exit == 0, export.Error);

        var characters = Omniglot.LoadCharacters(RepoPaths.Omniglot);
        WriteSet(Path.Combine(_folder, "support.npz"), characters, classes: [1000, 1100, 1200], drawings: [0, 1]);
        WriteSet(Path.Combine(_folder, "query.npz"), characters, classes: [1000, 1100, 1200], drawings: [5, 6, 7, 8]);
        var onnx = Path.Combine(_folder, "adapted.onnx");

        var adapt = Run("adapt", "--model", bundle, "--support", Path.Combine(_folder, "support.npz"), "--query", Path.Combine(_folder, "query.npz"),
            "--export-onnx", onnx, "--json");

        Assert.True(adapt.Exit == 0, adapt.Error);
        using var json = JsonDocument.Parse(adapt.Output);
        Assert.Equal(["1000", "1100", "1200"], json.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.True(json.RootElement.GetProperty("accuracy").GetDouble() > 1.0 / 3, adapt.Output);
        Assert.Equal(12, json.RootElement.GetProperty("predictions").GetArrayLength());
        var bytes = File.ReadAllBytes(onnx);
        OnnxChecker.AssertValid(bytes, "the adapted model written by fewshot adapt --export-onnx");
        using var session = new InferenceSession(bytes);
        Assert.Equal(["x"], session.InputNames);
    }

    [Fact]
    public void ExportOnnxSaysWhereTheFileWent_OnStandardErrorBesideJson()
    {
        var bundle = Path.Combine(RepoPaths.Root, "models", "omniglot-maml-paper.fewshot");
        var support = RandomExampleSets.Write(_folder, "support.npz", 5, 1);
        var query = RandomExampleSets.Write(_folder, "query.npz", 3, 2);
        var (onnx, state) = (Path.Combine(_folder, "adapted.onnx"), Path.Combine(_folder, "device.state"));
        string[] adapt = ["adapt", "--model", bundle, "--support", support, "--query", query, "--export-onnx", onnx, "--threads", "1"];

        var table = Run([.. adapt, "--save", state]);
        File.Delete(onnx);
        var json = Run([.. adapt, "--json"]);

        var written = $"adapted model written to '{onnx}' (one plain ONNX file with θ′ baked in)";
        Assert.True(table.Exit == 0, table.Error);
        Assert.EndsWith($"{written}{Environment.NewLine}state saved to '{state}' (fewshot predict --state reads it with this bundle)", table.Output.TrimEnd(), StringComparison.Ordinal);
        Assert.True(json.Exit == 0, json.Error);
        Assert.Equal(written, json.Error.Trim());
        using var document = JsonDocument.Parse(json.Output);
        Assert.True(File.Exists(onnx));
    }

    [Fact]
    public void ExportUpgrade_RewritesOnlyOlderBundles_AndExportNeedsARunOrABundle()
    {
        // The upgrade itself (format 1 → 2, identical predictions) is tested in FewShot.Runtime.Tests (UpgradeTests).
        var current = Path.Combine(RepoPaths.Root, "models", "omniglot-protonet-lake.fewshot");
        var upgrade = Run("export", "--upgrade", current, "--out", Path.Combine(_folder, "again.fewshot"));
        Assert.Equal(1, upgrade.Exit);
        Assert.Contains("the bundle is already format 2; there is nothing to upgrade", upgrade.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "again.fewshot")));

        var neither = Run("export", "--out", Path.Combine(_folder, "x.fewshot"));
        Assert.Equal(1, neither.Exit);
        Assert.Contains("give a run folder to export (fewshot export <run-folder> --out <file>, or --run) or --upgrade (a bundle to rewrite as format 2)", neither.Error);
    }

    [Fact]
    public void SinusoidBundleAdaptsFromTenPoints()
    {
        var run = Path.Combine(_folder, "sin");
        var bundle = Path.Combine(_folder, "sin.fewshot");
        Assert.Equal(0, Run("train", "--dataset", "sinusoid", "--shots", "10", "--queries", "10", "--iterations", "200", "--out", run).Exit);
        Assert.Equal(0, Run("export", run, "--out", bundle, "--episodes", "0").Exit);
        float[] xs = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 4.5f];
        NpzWriter.Write(Path.Combine(_folder, "s.npz"), new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.Create(xs, 10, 1),
            ["y"] = NpyArray.Create(xs.Select(x => 2 * MathF.Sin(x - 1)).ToArray(), 10, 1),
        });

        var adapt = Run("adapt", "--model", bundle, "--support", Path.Combine(_folder, "s.npz"), "--query", Path.Combine(_folder, "s.npz"), "--steps", "5", "--json");

        Assert.True(adapt.Exit == 0, adapt.Error);
        using var json = JsonDocument.Parse(adapt.Output);
        Assert.Equal(10, json.RootElement.GetProperty("predictions").EnumerateArray().Count(p => p.GetProperty("values").GetArrayLength() == 1));
        // The queries' targets score the predictions, as labelled queries give an accuracy.
        var predicted = json.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("values")[0].GetDouble()).ToArray();
        var expected = predicted.Select((v, i) => Math.Pow(v - (2 * MathF.Sin(xs[i] - 1)), 2)).Average();
        Assert.InRange(json.RootElement.GetProperty("mse").GetDouble(), expected - 1e-5, expected + 1e-5);
        var table = Run("adapt", "--model", bundle, "--support", Path.Combine(_folder, "s.npz"), "--query", Path.Combine(_folder, "s.npz"), "--steps", "5");
        Assert.True(table.Exit == 0, table.Error);
        var line = table.Output.Split('\n').Single(l => l.StartsWith("MSE: ", StringComparison.Ordinal));
        Assert.InRange(double.Parse(line["MSE: ".Length..], System.Globalization.CultureInfo.InvariantCulture), expected - 1e-4, expected + 1e-4);
    }

    [Fact]
    public void MissingLabelsAndBadFilesFailWithAMessage()
    {
        var bogus = Path.Combine(_folder, "bogus.fewshot");
        File.WriteAllText(bogus, "not a zip");

        var result = Run("adapt", "--model", bogus, "--support", _folder, "--query", _folder);

        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: ", result.Error);
    }

    private static string ShippedProtoNet => Path.Combine(RepoPaths.Root, "models", "omniglot-protonet-paper.fewshot");

    // An .npz of blank 28×28 images, one per value of y, for tests about what adapt refuses.
    private string BlankImages(string name, NpyArray y)
    {
        var path = Path.Combine(_folder, name);
        var count = y.Shape[0];
        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(new float[count * 28 * 28], count, 1, 28, 28), ["y"] = y });
        return path;
    }

    [Fact]
    public void QueriesOfClassesTheSupportLacksAreNamed()
    {
        // Before, they only lowered the accuracy: a query folder's misnamed class read as a model that fails on it.
        var support = BlankImages("support-0-4.npz", NpyArray.Create(new long[] { 0, 1, 2, 3, 4 }, 5));
        var query = BlankImages("query-9.npz", NpyArray.Create(new long[] { 0, 9, 1, 9, 12 }, 5));

        var result = Run("adapt", "--model", ShippedProtoNet, "--support", support, "--query", query);

        Assert.True(result.Exit == 0, result.Error);
        Assert.Contains("3 of 5 queries carry labels the support set lacks (12, 9), counted as wrong", result.Output);
        Assert.DoesNotContain("lacks", Run("adapt", "--model", ShippedProtoNet, "--support", support, "--query", support).Output);
    }

    [Fact]
    public void FloatLabelsForAClassificationBundleAreNamedAsSuch()
    {
        var support = BlankImages("float-labels.npz", NpyArray.Create(new float[] { 0, 1, 2, 3, 4 }, 5));

        var result = Run("adapt", "--model", ShippedProtoNet, "--support", support, "--query", support);

        Assert.Equal(1, result.Exit);
        Assert.Contains("'y' holds floating-point values (regression targets); this classification bundle needs integer labels", result.Error);
    }

    [Fact]
    public void StepsForABundleWithoutGradientStepsAreRefused()
    {
        var support = BlankImages("labelled.npz", NpyArray.Create(new long[] { 0, 1 }, 2));

        var result = Run("adapt", "--model", ShippedProtoNet, "--support", support, "--query", support, "--steps", "5");

        Assert.Equal(1, result.Exit);
        Assert.Contains("--steps 5 has no effect: this protonet bundle adapts without gradient steps", result.Error);
    }

    [Fact]
    public void ReconstructionExportOnTooFewTestClassesForTheAurocWritesTheBundleAndSaysSo()
    {
        // 3 test classes: enough for 2-way episodes, not for the AUROC's 2 support classes against 2 others.
        var root = Path.Combine(_folder, "images");
        WriteClasses(Path.Combine(root, "train"), classes: 4);
        WriteClasses(Path.Combine(root, "test"), classes: 3);
        var run = Path.Combine(_folder, "ae");
        var bundle = Path.Combine(_folder, "ae.fewshot");
        var train = Run("train", "--algorithm", "autoencoder", "--dataset", "folder", "--data", root, "--ways", "2", "--shots", "1", "--queries", "1",
            "--iterations", "2", "--out", run);
        Assert.True(train.Exit == 0, train.Error);

        var export = Run("export", "--run", run, "--out", bundle, "--episodes", "3");

        Assert.True(export.Exit == 0, export.Error);
        Assert.Contains("Wrote " + bundle, export.Output);
        Assert.Contains("anomaly AUROC was not measured", export.Error);
        Assert.Contains("the test split has 3 classes (fewer than 4)", export.Error);
        using var model = FewShot.Runtime.Bundles.FewShotModel.Load(bundle);
        Assert.Equal(FewShot.Bundles.OutputKind.Reconstruction, model.Kind);
    }

    [Fact]
    public void ARunWhoseDataMovedExportsWithData()
    {
        var root = Path.Combine(_folder, "images");
        WriteClasses(Path.Combine(root, "train"), classes: 3);
        WriteClasses(Path.Combine(root, "test"), classes: 2);
        var run = Path.Combine(_folder, "proto");
        var train = Run("train", "--algorithm", "protonet", "--dataset", "folder", "--data", root, "--ways", "2", "--shots", "1", "--queries", "1",
            "--channels", "8", "--iterations", "1", "--out", run);
        Assert.True(train.Exit == 0, train.Error);
        Directory.Move(root, root + "-moved");

        var stuck = Run("export", "--run", run, "--out", Path.Combine(_folder, "a.fewshot"), "--episodes", "0");
        var moved = Run("export", "--run", run, "--out", Path.Combine(_folder, "b.fewshot"), "--episodes", "2", "--data", root + "-moved");

        Assert.Equal(1, stuck.Exit);
        Assert.Contains($"is read from '{root}', which does not exist (moved or deleted?): give its folder with --data", stuck.Error);
        Assert.True(moved.Exit == 0, moved.Error);
        Assert.Contains("measured accuracy", moved.Output);
        Assert.True(File.Exists(Path.Combine(_folder, "b.fewshot")));
    }

    /// <summary>Class folders of three 28×28 PNGs each: a white bar on black, at an angle and offset of the class's own.</summary>
    private static void WriteClasses(string folder, int classes)
    {
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < 3; i++)
            {
                var path = Path.Combine(folder, $"c{c}", $"{i}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(28, 28, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque));
                using (var canvas = new SkiaSharp.SKCanvas(bitmap))
                using (var paint = new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.White, StrokeWidth = 3 })
                {
                    canvas.Clear(SkiaSharp.SKColors.Black);
                    canvas.RotateDegrees(40 * c, 14, 14);
                    canvas.DrawLine(4 + i, 14, 24 + i, 14, paint);
                }

                using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(path, data.ToArray());
            }
        }
    }

    private static void WriteSet(string path, IFewShotDataset characters, int[] classes, int[] drawings)
    {
        var size = 28 * 28;
        var x = new float[classes.Length * drawings.Length * size];
        var y = new long[classes.Length * drawings.Length];
        var row = 0;
        foreach (var c in classes)
        {
            foreach (var d in drawings)
            {
                characters.CopyExample(c, d, x.AsSpan(row * size, size));
                y[row++] = c;
            }
        }

        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, y.Length, 1, 28, 28), ["y"] = NpyArray.Create(y, y.Length) });
    }
}
