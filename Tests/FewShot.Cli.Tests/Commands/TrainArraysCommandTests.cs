using System.Text.Json;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Data;
using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// A user's own arrays, end to end: one .npz of x and y trains (<c>--dataset npz</c>), resumes, evaluates, exports and
/// adapts, as images [n, h, w] (conv4) and as feature vectors [n, d] (an MLP); and a file that does not fit is refused.
/// </summary>
// In-process meta-training on libtorch inside a .NET no-collection region (see ExportAdaptCommandTests).
[Collection(SerialCollection.Name)]
public sealed class TrainArraysCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-arrays-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// 16×16 gray images [n, 16, 16] as uint8, <paramref name="perClass"/> of each of <paramref name="classes"/> classes
    /// (labels 10, 11, …): a bright 4×4 square at the class's own place on a noisy dark ground.
    /// </summary>
    private string WriteSquares(string name, int classes, int perClass, int firstRow = 0)
    {
        var random = new Random(firstRow);
        var count = classes * perClass;
        var x = new byte[count * 16 * 16];
        var y = new long[count];
        for (var row = 0; row < count; row++)
        {
            var c = row % classes;
            y[row] = 10 + c;
            var (top, left) = (c / 4 * 4, c % 4 * 4);
            for (var p = 0; p < 256; p++)
            {
                var inside = p / 16 >= top && p / 16 < top + 4 && p % 16 >= left && p % 16 < left + 4;
                x[(row * 256) + p] = (byte)((inside ? 200 : 20) + random.Next(0, 40));
            }
        }

        var path = Path.Combine(_folder, name);
        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, count, 16, 16), ["y"] = NpyArray.Create(y, count) });
        return path;
    }

    [Fact]
    public void AnNpzOfImagesTrainsResumesEvaluatesExportsAndAdaptsFromTheSameFormat()
    {
        var data = WriteSquares("squares.npz", classes: 10, perClass: 4);
        var run = Path.Combine(_folder, "run");
        string[] train = ["train", "--algorithm", "protonet", "--dataset", "npz", "--data", data, "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "8", "--threads", "1", "--seed", "3", "--out", run];

        var first = Run([.. train, "--iterations", "3"]);
        var resumed = Run([.. train, "--iterations", "4"]);
        var eval = Run("eval", run, "--episodes", "5", "--json");

        Assert.True(first.Exit == 0, first.Error);
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Contains("Trained protonet for 4 iterations", resumed.Output);
        using (var json = JsonDocument.Parse(eval.Output))
        {
            Assert.Equal("npz", json.RootElement.GetProperty("dataset").GetString());
            Assert.InRange(json.RootElement.GetProperty("accuracy").GetDouble(), 0, 1);
        }

        // The run's data moved: export says which option finds it, and takes it.
        File.Move(data, data + ".moved");
        var stuck = Run("export", run, "--out", Path.Combine(_folder, "no.fewshot"), "--episodes", "0");
        var bundle = Path.Combine(_folder, "squares.fewshot");
        var export = Run("export", run, "--out", bundle, "--episodes", "3", "--data", data + ".moved");

        Assert.Equal(1, stuck.Exit);
        Assert.Contains("dataset 'npz' needs --data <file.npz>", stuck.Error);
        Assert.True(export.Exit == 0, export.Error);
        Assert.Contains("measured accuracy", export.Output);
        using (var model = FewShotModel.Load(bundle))
        {
            Assert.Equal([1L, 16, 16], model.Manifest.Input.Shape);
            Assert.Equal("npz", model.Manifest.Provenance.Dataset);
            Assert.Contains("'x' of squares.npz.moved", model.Manifest.Input.Normalization.Text, StringComparison.Ordinal);
            Assert.Null(model.Manifest.Input.Preprocessing);
        }

        // New examples in the training file's own format ([n, 16, 16], labels in y) adapt the bundle.
        var support = WriteSquares("support.npz", classes: 3, perClass: 1, firstRow: 100);
        var query = WriteSquares("query.npz", classes: 3, perClass: 2, firstRow: 200);
        var adapt = Run("adapt", "--model", bundle, "--support", support, "--query", query, "--json");

        Assert.True(adapt.Exit == 0, adapt.Error);
        using var adapted = JsonDocument.Parse(adapt.Output);
        Assert.Equal(["10", "11", "12"], adapted.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(6, adapted.RootElement.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public void AnNpzOfFeatureVectorsTrainsAnMlpThatExportsAndAdapts()
    {
        var random = new Random(1);
        var (count, features) = (8 * 5, 6);
        var x = Enumerable.Range(0, count * features).Select(i => (float)((i / features % 8) - 4 + random.NextDouble())).ToArray();
        var y = Enumerable.Range(0, count).Select(i => i % 8).ToArray();
        var data = Path.Combine(_folder, "features.npz");
        NpzWriter.Write(data, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, count, features), ["y"] = NpyArray.Create(y, count) });
        var run = Path.Combine(_folder, "mlp");
        var bundle = Path.Combine(_folder, "mlp.fewshot");

        var train = Run("train", "--algorithm", "maml", "--dataset", "npz", "--data", data, "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "16", "--iterations", "3", "--out", run);
        var export = Run("export", run, "--out", bundle, "--episodes", "3");
        var adapt = Run("adapt", "--model", bundle, "--support", data, "--query", data, "--json");
        var strided = Run("train", "--algorithm", "maml", "--dataset", "npz", "--data", data, "--ways", "2", "--queries", "2", "--downsample", "stride", "--out", Path.Combine(_folder, "strided"));

        Assert.True(train.Exit == 0, train.Error);
        Assert.Equal(1, strided.Exit);
        Assert.Contains("--downsample stride has no effect: maml on npz trains a mlp-6-64-64-2, not conv4", strided.Error);
        Assert.True(export.Exit == 0, export.Error);
        using (var model = FewShotModel.Load(bundle))
        {
            Assert.Equal("mlp-6-16-16-2", model.Manifest.Model);
            Assert.Equal([6L], model.Manifest.Input.Shape);
        }

        // All 8 labels in one support set: more classes than the 2-way head has outputs, which adapt refuses by name.
        Assert.Equal(1, adapt.Exit);
        Assert.Contains("8 classes", adapt.Error);
    }

    [Fact]
    public void AskingToValidateDataWithoutValidationClassesSaysItDoesNothing()
    {
        var data = WriteSquares("validate.npz", classes: 10, perClass: 4);
        string[] train = ["train", "--algorithm", "protonet", "--dataset", "npz", "--data", data, "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "8", "--threads", "1", "--iterations", "1"];

        var asked = Run([.. train, "--validate-every", "1", "--out", Path.Combine(_folder, "asked")]);
        var notAsked = Run([.. train, "--out", Path.Combine(_folder, "not-asked")]);

        Assert.True(asked.Exit == 0, asked.Error);
        Assert.Contains("note: --validate-every does nothing here: the run holds no classes out for validation; give --validation-classes N", asked.Error);
        Assert.True(notAsked.Exit == 0, notAsked.Error);
        Assert.DoesNotContain("--validate-every", notAsked.Error);
    }

    [Fact]
    public void RegressionTargetsAreRefusedBeforeARunIsWritten()
    {
        var data = Path.Combine(_folder, "targets.npz");
        NpzWriter.Write(data, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.Create(new float[20 * 3], 20, 3),
            ["y"] = NpyArray.Create(new float[20], 20),
        });
        var run = Path.Combine(_folder, "regression");

        var train = Run("train", "--dataset", "npz", "--data", data, "--out", run);

        Assert.Equal(1, train.Exit);
        Assert.StartsWith("error: ", train.Error);
        Assert.Contains("'y' holds Float32 values (regression targets); training on arrays meta-learns classification", train.Error);
        Assert.False(File.Exists(Path.Combine(run, "run.json")));
    }
}
