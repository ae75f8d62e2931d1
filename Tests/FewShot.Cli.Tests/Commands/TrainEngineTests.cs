using FewShot.Tests.Shared;
using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary><c>fewshot train</c>'s engine: TorchSharp trains a run; CUDA without TorchSharp's CUDA package is a clear error; the retired ONNX Runtime trainer is no longer an option.</summary>
// In-process meta-training on libtorch, whose trainer runs a meta-batch's tasks side by side inside a .NET
// no-collection region: other test classes' allocations in the same process could end that region mid-call (SerialCollection).
[Collection(SerialCollection.Name)]
public sealed class TrainEngineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-engine-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TorchSharpTrainsASinusoidRun()
    {
        var run = Path.Combine(_folder, "torch");

        var train = Run("train", "--dataset", "sinusoid", "--iterations", "20", "--threads", "1", "--out", run);

        Assert.True(train.Exit == 0, train.Error);
        Assert.Equal(20, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.npz")));
    }

    [Fact]
    public void CudaWithoutTorchSharpsCudaPackageSaysWhatIsMissing()
    {
        var train = Run("train", "--device", "cuda", "--dataset", "sinusoid", "--iterations", "2", "--out", Path.Combine(_folder, "cuda"));

        Assert.Equal(1, train.Exit);
        Assert.Contains("TorchSharp-cuda", train.Error);
        Assert.DoesNotContain("   at ", train.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "cuda", "run.json")), "a run that could not start was left behind");
    }

    [Fact]
    public void AnUnknownDeviceIsRefusedAndLeavesNoRunBehind()
    {
        var train = Run("train", "--device", "nope", "--dataset", "sinusoid", "--iterations", "2", "--out", Path.Combine(_folder, "nope"));

        Assert.Equal(1, train.Exit);
        Assert.Contains("unknown torch device 'nope'", train.Error);
        Assert.False(File.Exists(Path.Combine(_folder, "nope", "run.json")), "a run that could not start was left behind");
    }

    [Fact]
    public void TheRetiredEngineOptionIsRefused()
    {
        var train = Run("train", "--engine", "onnx", "--dataset", "sinusoid", "--out", Path.Combine(_folder, "onnx"));

        Assert.NotEqual(0, train.Exit);
        Assert.Contains("--engine", train.Error);
        Assert.False(Directory.Exists(Path.Combine(_folder, "onnx")));
    }
}
