using FewShot.Sdk.Models;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Training;

/// <summary>Reading a run's checkpoint.</summary>
public sealed class CheckpointTests
{
    [Fact]
    public void AMissingCheckpointSaysTheRunHasNotWrittenOneYet()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, Checkpoint.FileName);

        var error = Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(path, Mlp.Sinusoid().Parameters));

        Assert.Contains("has not written one yet", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckpointWithParametersTheModelLacksIsRefusedNotResumed()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, Checkpoint.FileName);
        var specs = Mlp.Sinusoid().Parameters;
        var values = specs.Select(s => new float[s.ElementCount]).ToArray();
        new Checkpoint(7, values, values, values, 7).Save(path, specs);

        // A model with all but the last of those parameters, as ProtoNets' encoder has all of a MAML conv4's but its head.
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, specs.Take(specs.Count - 1).ToArray()));

        Assert.Contains($"'theta.{specs[^1].Name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("another model or algorithm", error.Message, StringComparison.Ordinal);
    }
}
