using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests;

/// <summary>
/// A command line the parser refuses says what was wrong and where the help is, on standard error, without printing
/// the whole help; a bare <c>fewshot</c> still lists the commands.
/// </summary>
public sealed class FewShotCommandLineTests
{
    [Theory]
    [InlineData("--steps must be at least 1, got 0", "fewshot adapt --help", "adapt", "--model", "m", "--support", "s", "--query", "q", "--steps", "0")]
    [InlineData("--steps must be at least 1, got -3", "fewshot adapt --help", "adapt", "--model", "m", "--support", "s", "--query", "q", "--steps", "-3")]
    [InlineData("--steps must be at most 1000", "fewshot adapt --help", "adapt", "--model", "m", "--support", "s", "--query", "q", "--steps", "5000")]
    [InlineData("--threads must be at least 0, got -1", "fewshot adapt --help", "adapt", "--model", "m", "--support", "s", "--query", "q", "--threads", "-1")]
    [InlineData("--episodes must be at least 1, got 0", "fewshot eval --help", "eval", "run", "--episodes", "0")]
    [InlineData("--runs must be at least 1, got 0", "fewshot bench --help", "bench", "train", "--runs", "0")]
    [InlineData("Unrecognized command or argument 'unknown-command'", "fewshot --help", "unknown-command")]
    public void ARefusedCommandLinePrintsItsErrorsAndWhereTheHelpIs(string message, string hint, params string[] args)
    {
        var result = Run(args);

        Assert.Equal(1, result.Exit);
        Assert.Equal("", result.Output);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, line => line.StartsWith(message, StringComparison.Ordinal));
        Assert.Equal($"see `{hint}`", lines[^1]);
        Assert.DoesNotContain("Options:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AMistypedCommandIsSuggestedOnStandardError()
    {
        var result = Run("trian");

        Assert.Equal(1, result.Exit);
        Assert.Equal("", result.Output);
        Assert.Contains("train", result.Error.Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void ABareFewshotListsTheCommands()
    {
        var result = Run();

        Assert.Equal(1, result.Exit);
        Assert.Contains("adapt", result.Output, StringComparison.Ordinal);
        Assert.Contains("Commands:", result.Output, StringComparison.Ordinal);
    }
}
