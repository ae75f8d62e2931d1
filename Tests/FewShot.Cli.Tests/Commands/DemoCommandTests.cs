using System.Globalization;
using System.Text.RegularExpressions;
using FewShot.Tests.Shared;
using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary><c>fewshot demo</c>, the README's first command: it meta-trains on TorchSharp, and adapting helps.</summary>
// In-process meta-training on libtorch, whose trainer runs a meta-batch's tasks side by side inside a .NET
// no-collection region: other test classes' allocations in the same process could end that region mid-call (SerialCollection).
[Collection(SerialCollection.Name)]
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-demo-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheDemoTrainsAndAdaptingLowersTheQueryError()
    {
        var run = Path.Combine(_folder, "demo");

        var demo = Run("demo", "--iterations", "1500", "--out", run);

        Assert.True(demo.Exit == 0, demo.Error);
        Assert.Contains("meta-trained on TorchSharp", demo.Output);
        Assert.Equal(1500, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        double Mse(int steps) => double.Parse(
            Regex.Match(demo.Output, $@"^\s*{steps} steps?: ([0-9.]+)", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(Mse(10) < 0.5 * Mse(0), demo.Output);

        // The command the demo suggests next runs as printed and repeats the demo's figure after 10 steps (5 points gave 0.399 against 0.127).
        var hint = Regex.Match(demo.Output, @"\(fewshot (eval [^)]*)\)").Groups[1].Value;
        var eval = Run([.. hint.Split(' '), "--json"]);
        Assert.True(eval.Exit == 0, $"'fewshot {hint}': {eval.Error}");
        using var report = System.Text.Json.JsonDocument.Parse(eval.Output);
        Assert.Equal(10, report.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(Mse(10), report.RootElement.GetProperty("mse").GetDouble(), 0.0015);
    }

    [Fact]
    public void TheDemoResumesInItsFolder_AlsoFromARunJsonWrittenBeforeItLeftOutSplitAndNormalization()
    {
        var run = Path.Combine(_folder, "again");
        Assert.Equal(0, Run("demo", "--iterations", "5", "--out", run).Exit);
        // As the demo's run.json was written before: settings sinusoid regression has no use for.
        var path = Path.Combine(run, FewShot.Sdk.Runs.RunConfiguration.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("{", "{ \"split\": \"lake\", \"ways\": 5, \"normalization\": \"support\", \"channels\": 64,", StringComparison.Ordinal));

        var demo = Run("demo", "--iterations", "10", "--out", run);

        // Before, a demo's own folder was "another run": the loaded normalization "support" against the demo's unset one.
        Assert.True(demo.Exit == 0, demo.Error);
        Assert.Equal(10, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }

    [Fact]
    public void AFolderOfAnotherRunIsRefused()
    {
        var run = Path.Combine(_folder, "other");
        Assert.Equal(0, Run("train", "--dataset", "sinusoid", "--algorithm", "fomaml", "--iterations", "2", "--threads", "1", "--out", run).Exit);

        var demo = Run("demo", "--iterations", "10", "--out", run);

        Assert.Equal(1, demo.Exit);
        Assert.Contains("holds a different run (fomaml on sinusoid", demo.Error);
    }
}
