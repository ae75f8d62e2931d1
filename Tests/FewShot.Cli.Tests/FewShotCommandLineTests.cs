using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using FewShot.Tests.Shared;
using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests;

/// <summary>
/// A command line the parser refuses says what was wrong and where the help is, on standard error, without printing
/// the whole help; a bare <c>fewshot</c> still lists the commands; the README's synopsis names each command's options.
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
    [InlineData("--minutes takes a number, not 'abc'.", "fewshot train --help", "train", "--out", "r", "--minutes", "abc")]
    [InlineData("--ways takes a whole number, not 'five'.", "fewshot train --help", "train", "--out", "r", "--ways", "five")]
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

    [Fact]
    public void TheReadmeSynopsisNamesEveryOptionOfEveryCommand_AndNoOther()
    {
        var synopsis = ReadmeSynopsis();
        var mismatches = FewShotCommandLine.Create(TextWriter.Null, TextWriter.Null).Subcommands.SelectMany(command =>
        {
            var named = synopsis.GetValueOrDefault(command.Name) ?? [];
            // --run is the run folder argument's other spelling, which the synopsis shows as <run-folder>.
            var options = command.Options.Where(o => o is not HelpOption && !o.Hidden && o.Name != "--run").Select(o => o.Name).ToHashSet();
            return (string[])[
                .. synopsis.ContainsKey(command.Name) ? [] : new[] { $"fewshot {command.Name} (no line)" },
                .. options.Except(named).Select(o => $"fewshot {command.Name} {o} (missing)"),
                .. named.Except(options).Select(o => $"fewshot {command.Name} {o} (no such option)")];
        });

        Assert.Empty(mismatches);
    }

    // The options each command's lines name in the first block of "The `fewshot` command" (comments after "# " left out).
    private static Dictionary<string, HashSet<string>> ReadmeSynopsis()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"))
            .SkipWhile(l => l != "## The `fewshot` command").Skip(1).SkipWhile(string.IsNullOrWhiteSpace).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal));
        var synopsis = new Dictionary<string, HashSet<string>>();
        var current = new HashSet<string>();
        foreach (var line in lines.Select(l => l.Split(" # ")[0].Trim()))
        {
            if (line.StartsWith("fewshot ", StringComparison.Ordinal))
            {
                var name = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
                current = synopsis.TryGetValue(name, out var known) ? known : synopsis[name] = [];
            }

            current.UnionWith(Regex.Matches(line, "--[a-z][a-z0-9-]*").Select(m => m.Value));
        }

        return synopsis;
    }
}
