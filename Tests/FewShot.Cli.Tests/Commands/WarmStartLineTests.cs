using FewShot.Cli.Commands;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Tests.Commands;

/// <summary>The line <c>fewshot train --init-from</c> prints: counts in plain words, and no empty list when nothing is fresh.</summary>
public sealed class WarmStartLineTests
{
    [Fact]
    public void NothingFreshPrintsNoEmptyParentheses()
    {
        var line = TrainCommand.WarmStartLine("a/checkpoint.npz", new WarmStartResult([], ["w", "b"], []));

        Assert.Equal("Starting from a/checkpoint.npz: 2 parameters copied, 0 initialized as usual", line);
    }

    [Fact]
    public void OneParameterIsSingularAndTheFreshOnesAreNamed()
    {
        var line = TrainCommand.WarmStartLine("b.fewshot", new WarmStartResult([], ["w"], ["head.weight", "head.bias"]));

        Assert.Equal("Starting from b.fewshot: 1 parameter copied, 2 initialized as usual (head.weight, head.bias)", line);
    }
}
