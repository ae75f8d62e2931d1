using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// A number out of an option's range is refused while parsing, by the option's name, before anything runs or is
/// written; a value that is not a number keeps its own parse error.
/// </summary>
public sealed class OptionRangeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-ranges-").FullName;

    [Theory]
    [InlineData("--meta-batch must be at least 1, got 0", "train", "--meta-batch", "0")]
    [InlineData("--meta-lr must be a finite number above 0, got NaN", "train", "--meta-lr", "NaN")]
    [InlineData("--inner-lr must be a finite number above 0, got -0.5", "train", "--inner-lr", "-0.5")]
    [InlineData("--minutes must be a finite number above 0, got 0", "train", "--minutes", "0")]
    [InlineData("--iterations must be at least 1, got 0", "train", "--iterations", "0")]
    [InlineData("--validate-every must be at least 0, got -1", "train", "--validate-every", "-1")]
    [InlineData("--validation-classes must be at least 0, got -1", "train", "--validation-classes", "-1")]
    [InlineData("--channels must be at least 1, got 0", "train", "--channels", "0")]
    [InlineData("--threads must be at least 0, got -2", "train", "--threads", "-2")]
    [InlineData("--shots must be at least 1, got 0", "train", "--shots", "0")]
    [InlineData("--episodes must be at least 1, got 0", "eval", "RUN", "--episodes", "0")]
    [InlineData("--steps must be at least 1, got 0", "adapt", "--model", "m.fewshot", "--support", "s.npz", "--query", "q.npz", "--steps", "0")]
    [InlineData("--steps must be at most 1000 (FewShot.Runtime refuses a bundle with more", "export", "RUN", "--steps", "1001")]
    [InlineData("--steps must be at most 1000 (RuntimeOptions.MaxAdaptationSteps", "adapt", "--model", "m.fewshot", "--support", "s.npz", "--query", "q.npz", "--steps", "1001")]
    [InlineData("--runs must be at least 1, got 0", "bench", "train", "--runs", "0")]
    [InlineData("--warmup must be at least 0, got -1", "bench", "conv4", "--warmup", "-1")]
    public void IsRefusedByNameBeforeAnythingRuns(string message, params string[] args)
    {
        var run = Path.Combine(_folder, "run");
        var result = Run([.. args.Select(a => a == "RUN" ? run : a), .. args[0] == "train" ? ["--out", run] : Array.Empty<string>()]);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(run), "the refused command wrote its run folder");
    }

    [Fact]
    public void AValueThatIsNotANumberIsNamedInPlainWords()
    {
        var result = Run("bench", "train", "--runs", "many");

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("--runs takes a whole number, not 'many'.", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
