using System.Text.Json;
using FewShot.Sdk.Data;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// <c>fewshot train --validation-classes N</c> on the user's own data: validations in metrics.jsonl as the paper split's,
/// drawn by <c>fewshot plot</c>; the setting recorded in run.json and held to on resuming (an older run.json resumes as
/// none); eval and export on the run; and N refused where it does not fit.
/// </summary>
// In-process meta-training on libtorch inside a .NET no-collection region (see ExportAdaptCommandTests).
[Collection(SerialCollection.Name)]
public sealed class TrainValidationClassesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-cli-validation-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An .npz of 15 classes of 4 feature vectors [n, 4] each, every class around a mean of its own.</summary>
    private string WriteFeatures()
    {
        var random = new Random(2);
        var x = Enumerable.Range(0, 60 * 4).Select(i => (float)((i / 4 % 15) + random.NextDouble())).ToArray();
        var y = Enumerable.Range(0, 60).Select(i => i % 15).ToArray();
        var path = Path.Combine(_folder, "features.npz");
        NpzWriter.Write(path, new Dictionary<string, NpyArray> { ["x"] = NpyArray.Create(x, 60, 4), ["y"] = NpyArray.Create(y, 60) });
        return path;
    }

    private string[] Train(string data, string run, params string[] more) =>
        ["train", "--algorithm", "protonet", "--dataset", "npz", "--data", data, "--ways", "2", "--shots", "1", "--queries", "2",
            "--channels", "8", "--threads", "1", "--seed", "4", "--out", Path.Combine(_folder, run), .. more];

    [Fact]
    public void HeldOutClassesAreValidatedOnRecordedAndHeldToOnResuming()
    {
        var data = WriteFeatures();
        var run = Path.Combine(_folder, "held");

        var first = Run(Train(data, "held", "--validation-classes", "3", "--validate-every", "2", "--iterations", "4"));
        var history = MetricsHistory.Read(Path.Combine(run, "metrics.jsonl"));
        var plot = Run("plot", run);
        var other = Run(Train(data, "held", "--validation-classes", "0", "--validate-every", "2", "--iterations", "6"));
        var resumed = Run(Train(data, "held", "--validation-classes", "3", "--validate-every", "2", "--iterations", "6"));
        var eval = Run("eval", run, "--episodes", "5", "--json");
        var export = Run("export", run, "--out", Path.Combine(_folder, "held.fewshot"), "--episodes", "3");

        Assert.True(first.Exit == 0, first.Error);
        Assert.Equal([2, 4], history.Validation.Select(v => v.Iteration));
        Assert.All(history.Validation, v => Assert.InRange(v.Mean, 0, 1));
        Assert.True(plot.Exit == 0, plot.Error);
        Assert.Contains("2 validations", plot.Output);
        Assert.Equal(3, RunConfiguration.Load(run).ValidationClasses);
        Assert.Equal(1, other.Exit);
        Assert.Contains("validationClasses (3 there, 0 asked for)", other.Error);
        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Equal([2, 4, 6], MetricsHistory.Read(Path.Combine(run, "metrics.jsonl")).Validation.Select(v => v.Iteration));
        Assert.True(eval.Exit == 0, eval.Error);
        using (var json = JsonDocument.Parse(eval.Output))
        {
            Assert.InRange(json.RootElement.GetProperty("accuracy").GetDouble(), 0, 1);
        }

        Assert.True(export.Exit == 0, export.Error);
    }

    [Fact]
    public void ARunJsonWrittenBeforeTheSettingResumesAsHoldingNoneOut()
    {
        var data = WriteFeatures();
        var run = Path.Combine(_folder, "old");
        Assert.Equal(0, Run(Train(data, "old", "--iterations", "2")).Exit);
        var path = Path.Combine(run, RunConfiguration.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"validationClasses\": 0,", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("validationClasses", File.ReadAllText(path), StringComparison.Ordinal);

        var resumed = Run(Train(data, "old", "--iterations", "3"));
        var refused = Run(Train(data, "old", "--validation-classes", "2", "--iterations", "3"));

        Assert.True(resumed.Exit == 0, resumed.Error);
        Assert.Contains("Resuming the run in " + run, resumed.Output);
        Assert.Equal(1, refused.Exit);
        Assert.Contains("validationClasses (0 there, 2 asked for)", refused.Error);
    }

    [Fact]
    public void ValidationClassesThatDoNotFitAreRefusedBeforeARunIsWritten()
    {
        var data = WriteFeatures();

        var few = Run(Train(data, "few", "--validation-classes", "1"));
        var many = Run(Train(data, "many", "--validation-classes", "11"));
        var sinusoid = Run("train", "--dataset", "sinusoid", "--validation-classes", "5", "--out", Path.Combine(_folder, "sinusoid"));
        var unused = Run(Train(data, "unused", "--validation-classes", "2", "--validate-every", "0", "--iterations", "1"));
        var tooShort = Run(Train(data, "short", "--validation-classes", "2", "--iterations", "3"));
        var shortEnough = Run(Train(data, "enough", "--validation-classes", "2", "--validate-every", "3", "--iterations", "3"));

        Assert.Equal(1, few.Exit);
        Assert.Contains("--validation-classes 1 holds out fewer classes than the 2 a validation episode draws", few.Error);
        Assert.Equal(1, many.Exit);
        Assert.Contains("split by the seed into 12 for training and 3 for testing (80/20); holding out 11 of the 12 training classes for validation (--validation-classes) leaves 1", many.Error);
        Assert.Equal(1, sinusoid.Exit);
        Assert.Contains("this run is sinusoid", sinusoid.Error);
        Assert.All(["few", "many", "sinusoid"], name => Assert.False(File.Exists(Path.Combine(_folder, name, RunConfiguration.FileName))));
        Assert.True(unused.Exit == 0, unused.Error);
        Assert.Contains("--validate-every 0 never validates on them", unused.Error);

        // Before, a run shorter than --validate-every (default 500) held its classes out and never validated, without a word.
        Assert.True(tooShort.Exit == 0, tooShort.Error);
        Assert.Contains("note: --validate-every 500 (the default) is more than the run's 3 iterations, so it never validates on the 2 classes it holds out (--validation-classes); give --validate-every 3 or less", tooShort.Error);
        Assert.True(shortEnough.Exit == 0, shortEnough.Error);
        Assert.DoesNotContain("never validates", shortEnough.Error);
    }
}
