using System.Text.Json;
using FewShot.Tests.Shared;
using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// <c>fewshot bench train</c> at 2 threads: the tasks run side by side for the whole run, and the JSON says so (no
/// trainer warning). Serial: another test's allocations could use up the process-wide no-collection budget and end
/// the side-by-side run for reasons of its own.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class BenchTrainSideBySideTests
{
    [Fact]
    public void ATwoThreadCaseSaysThatItsTasksStayedSideBySide()
    {
        var bench = Run("bench", "train", "--case", "maml-1", "--threads", "2", "--runs", "2", "--warmup", "1", "--json");

        Assert.True(bench.Exit == 0, bench.Error);
        using var result = JsonDocument.Parse(bench.Output);
        Assert.Equal(2, result.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal(0, result.RootElement.GetProperty("trainerWarnings").GetInt32());
    }
}
