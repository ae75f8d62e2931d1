using System.Text.Json;
using FewShot.Tests.Shared;
using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary><c>fewshot bench train</c>: one case's meta-training throughput on the TorchSharp trainer, as JSON for the benchmark scripts.</summary>
// In-process meta-training on libtorch, whose trainer runs a meta-batch's tasks side by side inside a .NET
// no-collection region: other test classes' allocations in the same process could end that region mid-call (SerialCollection).
[Collection(SerialCollection.Name)]
public sealed class BenchTrainCommandTests
{
    [Fact]
    public void ACaseReportsItsThroughputAndNormalization()
    {
        // No warm-up: the one timed iteration is timed from the start of training (it once read the report before it).
        var bench = Run("bench", "train", "--case", "fomaml-1", "--norm", "group", "--threads", "1", "--runs", "1", "--warmup", "0", "--json");

        Assert.True(bench.Exit == 0, bench.Error);
        using var result = JsonDocument.Parse(bench.Output);
        Assert.Equal("fomaml-1", result.RootElement.GetProperty("case").GetString());
        Assert.Equal("group", result.RootElement.GetProperty("norm").GetString());
        Assert.True(result.RootElement.GetProperty("tasksPerSecond").GetDouble() > 0);
        Assert.True(result.RootElement.GetProperty("peakRssMb").GetDouble() > 0);
    }

    [Fact]
    public void AnUnknownCaseOrNormalizationIsRefused()
    {
        var unknownCase = Run("bench", "train", "--case", "maml-7", "--runs", "1", "--warmup", "1");
        var unknownNorm = Run("bench", "train", "--norm", "weight", "--runs", "1", "--warmup", "1");

        Assert.Equal(1, unknownCase.Exit);
        Assert.Contains("maml-7", unknownCase.Error);
        Assert.NotEqual(0, unknownNorm.Exit);
        Assert.Contains("weight", unknownNorm.Error);
    }
}
