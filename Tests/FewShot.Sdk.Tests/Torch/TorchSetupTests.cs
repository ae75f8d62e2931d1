using FewShot.Sdk.Torch;
using FewShot.Tests.Shared;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>TorchSharp loads in this process (after the build's compatibility step) and computes, gradients included.</summary>
public sealed class TorchSetupTests
{
    [Fact]
    public void TorchSharpComputesAMatmulAndItsGradient()
    {
        TorchSetup.Initialize();
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2, 3, requires_grad: true);
        var b = torch.full(3, 4, 2f);

        var loss = torch.matmul(a, b).sum();
        loss.backward();

        // Every entry of a·b is 3·2 = 6, so the sum is 8·6; d(sum)/da[i,k] = Σ_j b[k,j] = 4·2.
        Assert.Equal(48f, loss.item<float>());
        Assert.Equal(Enumerable.Repeat(8f, 6), a.grad!.data<float>().ToArray());
    }

    [Fact]
    public void LoadingTurnsOffBackgroundGarbageCollection()
    {
        // xUnit's host runs with background collection on; TorchSharp work must not (TorchSetup.NoBackgroundCollection).
        TorchSetup.Initialize();
        Assert.Equal(System.Runtime.GCLatencyMode.Batch, System.Runtime.GCSettings.LatencyMode);
    }

    [Fact]
    public void ThreadsAreSetAndReported()
    {
        var before = TorchSetup.Threads;
        try
        {
            TorchSetup.Initialize(threads: 1);
            Assert.Equal(1, TorchSetup.Threads);
        }
        finally
        {
            TorchSetup.Initialize(threads: before);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => TorchSetup.Initialize(threads: -1));
    }

    [Fact]
    public void VersionsAreTheOnesThePackagePins()
    {
        Assert.StartsWith("0.107.", TorchSetup.TorchSharpVersion);
        Assert.StartsWith("2.10", TorchSetup.LibTorchVersion);
        Assert.True(TorchSetup.LoadTime > TimeSpan.Zero);
    }

    [Fact]
    public void CpuIsAlwaysAvailable()
    {
        Assert.Equal(DeviceType.CPU, TorchSetup.Device("cpu").type);
        Assert.Throws<ArgumentException>(() => TorchSetup.Device("abacus"));
    }

    [Fact]
    public void CudaWithoutTorchSharpsCudaPackageSaysWhichPackageIsNeeded()
    {
        TorchSetup.Initialize();
        if (torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, TorchSetup.Device("cuda").type);
            return;
        }

        var error = Assert.Throws<TorchUnavailableException>(() => TorchSetup.Device("cuda"));
        Assert.Contains("TorchSharp-cuda-linux", error.Message);
        Assert.Contains("'cuda'", error.Message);
        Assert.Throws<TorchUnavailableException>(() => TorchSetup.Device("cuda:1"));
    }

    [Fact]
    public void ALoadFailureNamesTheLibraryTheSymbolAndTheScript()
    {
        var cause = new DllNotFoundException(
            "Unable to load shared library 'LibTorchSharp' or one of its dependencies.\n" +
            "/app/LibTorchSharp.so: cannot open shared object file: No such file or directory\n" +
            "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /app/libLibTorchSharp.so)\n" +
            "/app/libLibTorchSharp: cannot open shared object file: No such file or directory");

        var error = TorchSetup.LoadFailure(cause);

        Assert.Same(cause, error.InnerException);
        Assert.Contains("version `GLIBCXX_3.4.32' not found (required by /app/libLibTorchSharp.so)", error.Message);
        Assert.DoesNotContain("No such file", error.Message);
        Assert.Contains("libLibTorchSharp.so did not load", error.Message);
        Assert.Contains("GLIBCXX_3.4.32", error.Message);
        Assert.Contains("_ZSt21ios_base_library_initv", error.Message);
        Assert.Contains("build/torchsharp-compat.sh", error.Message);
    }

    [Fact]
    public void ALoadFailureSaysWhatToDoForEachWayOfReferencingTheSdk()
    {
        var error = TorchSetup.LoadFailure(new DllNotFoundException("Unable to load shared library 'LibTorchSharp'"));

        Assert.Contains("FewShot.Sdk package", error.Message);
        Assert.Contains("rebuild or republish", error.Message);
        Assert.Contains("<Import Project=\"<FewShot repository>/build/TorchSharpCompat.targets\" />", error.Message);
        Assert.Contains($"bash <FewShot repository>/build/torchsharp-compat.sh {AppContext.BaseDirectory}", error.Message);
        Assert.Contains("buildTransitive/torchsharp-compat.sh", error.Message);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, TorchSetup.CompatibilityTargets)), $"{TorchSetup.CompatibilityTargets} is not in the repository");
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, TorchSetup.CompatibilityScript)), $"{TorchSetup.CompatibilityScript} is not in the repository");
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("glibc.malloc.trim_threshold=4294967295", true)]
    [InlineData(TorchSetup.MallocTunables, false)]
    [InlineData("glibc.malloc.mmap_threshold=33554432", false)]
    public void MissingMallocTunablesAreDetected(string? tunables, bool missing)
    {
        Assert.Equal(missing && OperatingSystem.IsLinux(), TorchSetup.MallocKeepsNoBuffers(tunables));
    }
}
