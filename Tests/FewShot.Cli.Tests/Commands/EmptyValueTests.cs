using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>An empty value (a script's unset variable) is refused at parsing, naming the option or argument.</summary>
public sealed class EmptyValueTests
{
    [Theory]
    [InlineData("--out", "train", "--dataset", "sinusoid", "--iterations", "1", "--out", "")]
    [InlineData("--query", "adapt", "--model", "m.fewshot", "--support", "s.npz", "--query", " ")]
    [InlineData("--state", "predict", "--model", "m.fewshot", "--state", "", "--query", "q.npz")]
    [InlineData("the run argument", "plot", "")]
    public void IsRefusedByName(string named, params string[] args)
    {
        var result = Run(args);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains($"{named} was given an empty value", result.Error, StringComparison.Ordinal);
    }
}
