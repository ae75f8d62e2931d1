using FewShot.Cli.Training;
using Microsoft.Extensions.Logging;

namespace FewShot.Cli.Tests.Training;

/// <summary>The trainer's log on the command line: warnings and errors reach the error writer and are counted; the rest is left to the progress display.</summary>
public sealed class TrainerWarningsTests
{
    [Fact]
    public void WarningsAndErrorsAreWrittenAndCountedAndInformationIsNot()
    {
        var error = new StringWriter();
        var log = new TrainerWarnings(error);

        log.LogInformation("Validation at {Iteration}: {Result}", 100, 0.9);
        log.LogWarning("the tasks stopped running side by side in meta-iteration {Iteration}", 7);
        log.LogError("something failed");

        Assert.Equal(2, log.Count);
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["warning: the tasks stopped running side by side in meta-iteration 7", "error: something failed"], lines);
    }
}
