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
}
