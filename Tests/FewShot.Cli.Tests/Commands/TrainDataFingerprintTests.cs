using System.Text.Json.Nodes;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;
using SkiaSharp;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// run.json records a fingerprint of the run's data, so a resumed run finds its data by contents: data that moved
/// resumes (bit for bit) from its new path, other data at the same or another path is refused (and noted by eval,
/// refused by export), and a run.json written before fingerprints resumes by path as it always did.
/// </summary>
// In-process meta-training on libtorch inside a .NET no-collection region (see ExportAdaptCommandTests).
[Collection(SerialCollection.Name)]
public sealed class TrainDataFingerprintTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-fingerprint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>8 classes (labels 0–7) of 4 noisy 16×16 uint8 images, a bright square at the class's place; <paramref name="noise"/> seeds the noise.</summary>
    private string WriteSquares(string name, int noise = 0)
    {
        var random = new Random(noise);
        var (classes, count) = (8, 32);
        var x = new byte[count * 256];
        var y = new long[count];
        for (var row = 0; row < count; row++)
        {
            var c = row % classes;
            y[row] = c;
            for (var p = 0; p < 256; p++)
            {
                var inside = p / 16 >= c / 4 * 4 && p / 16 < (c / 4 * 4) + 4 && p % 16 >= c % 4 * 4 && p % 16 < (c % 4 * 4) + 4;
                x[(row * 256) + p] = (byte)((inside ? 200 : 20) + random.Next(0, 40));
            }
        }

        var path = Path.Combine(_folder, name);
        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, count, 16, 16), ["y"] = NpyArray.Create(y, count) });
        return path;
    }

    private static string[] Train(string data, string dataset, string run, int iterations) =>
        ["train", "--algorithm", "protonet", "--dataset", dataset, "--data", data, "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "8", "--threads", "1", "--seed", "3", "--iterations", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", run];

    /// <summary>The run's checkpoint, read with the parameters its algorithm has on <paramref name="data"/> (where the run's data now is).</summary>
    private static Checkpoint SavedCheckpoint(string run, string data)
    {
        var configuration = RunConfiguration.Load(run) with { DataPath = data };
        var specs = AlgorithmFactory.Create(configuration, RunData.Load(configuration)).MetaParameters;
        return Checkpoint.Load(Path.Combine(run, Checkpoint.FileName), specs);
    }

    [Fact]
    public void DataThatMovedResumesFromItsNewPathBitForBit()
    {
        var data = WriteSquares("squares.npz");
        var (run, straight) = (Path.Combine(_folder, "run"), Path.Combine(_folder, "straight"));
        Assert.Equal(0, Run(Train(data, "npz", run, 3)).Exit);
        Assert.Equal(0, Run(Train(data, "npz", straight, 5)).Exit);
        var recorded = RunConfiguration.Load(run).DataFingerprint;
        var moved = Path.Combine(_folder, "elsewhere", "squares.npz");
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        File.Move(data, moved);

        var resumed = Run(Train(moved, "npz", run, 5));

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains($"data moved from {data} to {moved}, same contents", resumed.Output);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Equal(moved, RunConfiguration.Load(run).DataPath);
        Assert.Equal(recorded, RunConfiguration.Load(run).DataFingerprint);
        var (expected, actual) = (SavedCheckpoint(straight, moved), SavedCheckpoint(run, moved));
        Assert.Equal(5, actual.Iteration);
        for (var p = 0; p < expected.Parameters.Length; p++)
        {
            Assert.Equal(expected.Parameters[p], actual.Parameters[p]);
        }

        // From the new path recorded, eval needs no --data and sees the same data: no note.
        var eval = Run("eval", run, "--episodes", "3", "--json");
        Assert.True(eval.Exit == 0, eval.Error);
        Assert.DoesNotContain("note:", eval.Error);
    }

    [Fact]
    public void ResumingWithoutDataTakesTheRecordedPath_StillCheckedByItsFingerprint()
    {
        var data = WriteSquares("squares.npz");
        var run = Path.Combine(_folder, "run");
        Assert.Equal(0, Run(Train(data, "npz", run, 3)).Exit);
        string[] WithoutData(int iterations) => [.. Train(data, "npz", run, iterations).Where((_, i) => i is not (5 or 6))];
        Assert.DoesNotContain("--data", WithoutData(5));

        var resumed = Run(WithoutData(5));
        File.Copy(WriteSquares("other.npz", noise: 1), data, overwrite: true);
        var replaced = Run(WithoutData(7));
        File.Delete(data);
        var gone = Run(WithoutData(7));

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Equal(5, SavedCheckpoint(run, Path.Combine(_folder, "other.npz")).Iteration);
        Assert.Equal(data, RunConfiguration.Load(run).DataPath);
        Assert.Equal(1, replaced.Exit);
        Assert.Contains($"holds a run that trained on other data: the data at {data} changed since the run started: ", replaced.Error);
        Assert.Equal(1, gone.Exit);
        Assert.Contains($"'{data}' is not a file", gone.Error);
    }

    [Fact]
    public void ResumingWithoutDatasetTakesTheRecordedDatasetAndPath()
    {
        var data = WriteSquares("squares.npz");
        var run = Path.Combine(_folder, "run");
        Assert.Equal(0, Run(Train(data, "npz", run, 3)).Exit);
        // Neither "--dataset npz" nor "--data <file>": the run's own, not sinusoid's default.
        string[] bare = [.. Train(data, "npz", run, 5).Where((_, i) => i is not (3 or 4 or 5 or 6))];
        Assert.DoesNotContain("--dataset", bare);

        var resumed = Run(bare);

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Equal(5, SavedCheckpoint(run, data).Iteration);
        Assert.Equal(("npz", data), (RunConfiguration.Load(run).Dataset, RunConfiguration.Load(run).DataPath));
    }

    [Fact]
    public void OutAndIterationsAloneContinueARunBitForBit()
    {
        var data = WriteSquares("squares.npz");
        var (run, straight) = (Path.Combine(_folder, "run"), Path.Combine(_folder, "straight"));
        Assert.Equal(0, Run(Train(data, "npz", run, 3)).Exit);
        Assert.Equal(0, Run(Train(data, "npz", straight, 5)).Exit);

        // protonet, 2 ways, 2 queries, 8 channels, seed 3: all the run's own, none of them the defaults.
        var resumed = Run("train", "--out", run, "--iterations", "5", "--threads", "1");

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Equal(RunConfiguration.Load(straight) with { Iterations = 5 }, RunConfiguration.Load(run));
        var (expected, actual) = (SavedCheckpoint(straight, data), SavedCheckpoint(run, data));
        Assert.Equal(5, actual.Iteration);
        for (var p = 0; p < expected.Parameters.Length; p++)
        {
            Assert.Equal(expected.Parameters[p], actual.Parameters[p]);
        }
    }

    [Fact]
    public void AnNpzReplacedAtTheSamePathOrAnotherIsRefusedAndExportRefusesIt()
    {
        var data = WriteSquares("squares.npz");
        var run = Path.Combine(_folder, "run");
        Assert.Equal(0, Run(Train(data, "npz", run, 3)).Exit);
        var other = WriteSquares("other.npz", noise: 1);
        File.Copy(other, data, overwrite: true);

        var replaced = Run(Train(data, "npz", run, 5));
        var elsewhere = Run(Train(WriteSquares("third.npz", noise: 2), "npz", run, 5));
        var eval = Run("eval", run, "--episodes", "3", "--json");
        var export = Run("export", run, "--out", Path.Combine(_folder, "x.fewshot"), "--episodes", "0");

        Assert.Equal(1, replaced.Exit);
        Assert.Contains($"holds a run that trained on other data: the data at {data} changed since the run started: ", replaced.Error);
        Assert.Contains("where it had", replaced.Error);
        Assert.Contains("train on this data in another run folder", replaced.Error);
        Assert.Equal(1, elsewhere.Exit);
        Assert.Contains($"is not what the run trained on (at {data})", elsewhere.Error);
        Assert.Equal(3, SavedCheckpoint(run, other).Iteration);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.True(eval.Exit == 0, eval.Error);
        Assert.Contains($"note: the data at {data} changed since the run started", eval.Error);
        Assert.Equal(1, export.Exit);
        Assert.Contains("Give --data the run's own data", export.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "x.fewshot")));
    }

    [Fact]
    public void AClassFolderWithAChangedImageIsRefused()
    {
        var root = Path.Combine(_folder, "images");
        for (var c = 0; c < 6; c++)
        {
            for (var i = 0; i < 3; i++)
            {
                WritePng(Path.Combine(root, $"class{c}", $"{i}.png"), (byte)(40 * c), (byte)(10 * i));
            }
        }

        var run = Path.Combine(_folder, "run");
        var first = Run(Train(root, "folder", run, 2));
        Assert.True(first.Exit == 0, first.Error);
        File.WriteAllText(Path.Combine(root, "class0", "notes.txt"), "not an image: the loader skips it"); // no change to the data
        Assert.True(Run(Train(root, "folder", run, 3)).Exit == 0);
        WritePng(Path.Combine(root, "class5", "2.png"), 255, 0);

        var changed = Run(Train(root, "folder", run, 4));

        Assert.Equal(1, changed.Exit);
        Assert.Contains($"the data at {root} changed since the run started", changed.Error);
        Assert.Equal(3, SavedCheckpoint(run, root).Iteration);
    }

    [Fact]
    public void ARunJsonWrittenBeforeFingerprintsResumesByPathAsBefore()
    {
        var data = WriteSquares("squares.npz");
        var run = Path.Combine(_folder, "run");
        Assert.Equal(0, Run(Train(data, "npz", run, 3)).Exit);
        var path = Path.Combine(run, RunConfiguration.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(json.Remove("dataFingerprint"));
        File.WriteAllText(path, json.ToJsonString());

        var resumed = Run(Train(data, "npz", run, 4));
        var moved = data + ".moved";
        File.Move(data, moved);
        var fromElsewhere = Run(Train(moved, "npz", run, 5));

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Null(RunConfiguration.Load(run).DataFingerprint);
        Assert.Equal(4, SavedCheckpoint(run, moved).Iteration);
        Assert.Equal(1, fromElsewhere.Exit);
        Assert.Contains($"dataPath ({data} there, {moved} asked for)", fromElsewhere.Error);
    }

    private static void WritePng(string path, byte square, byte ground)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(16, 16, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(ground, ground, ground));
            using var paint = new SKPaint { Color = new SKColor(square, square, square) };
            canvas.DrawRect(4, 4, 8, 8, paint);
        }

        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, encoded.ToArray());
    }
}
