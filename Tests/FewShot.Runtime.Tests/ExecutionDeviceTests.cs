using FewShot.Runtime.Bundles;
using FewShot.Runtime.Sessions;
using FewShot.Runtime.Tests.Bundles;
using FewShot.Tests.Bundles;
using Microsoft.Extensions.Logging;

namespace FewShot.Runtime.Tests;

public sealed class ExecutionDeviceTests
{
    [Fact]
    public void Devices_CompareByKindAndId()
    {
        Assert.Equal(ExecutionDevice.Cuda(1), ExecutionDevice.Cuda(1));
        Assert.NotEqual(ExecutionDevice.Cuda(0), ExecutionDevice.Cuda(1));
        Assert.NotEqual(ExecutionDevice.Cpu, ExecutionDevice.Cuda(0));
        Assert.Equal(ExecutionDeviceKind.Cuda, ExecutionDevice.Cuda().Kind);
        Assert.Equal("cuda:2", ExecutionDevice.Cuda(2).ToString());
        Assert.Equal("cpu", ExecutionDevice.Cpu.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => ExecutionDevice.Cuda(-1));
    }

    [Fact]
    public void CudaSupport_FindsTheProviderOfTheGpuPackage_AndNamesEachMissingLibrary()
    {
        CudaStatus status = CudaSupport.Check();

        // This test project references Microsoft.ML.OnnxRuntime.Gpu.Linux, so the provider is in the package.
        Assert.True(status.ProviderInPackage);
        if (status.IsAvailable)
        {
            Assert.Contains("load", status.Describe());
            return;
        }

        Assert.All(status.MissingLibraries, m => Assert.Contains(CudaSupport.RequiredLibraries, r => m.StartsWith(r.Library, StringComparison.Ordinal)));
        Assert.Contains(status.MissingLibraries[0], status.Describe());
    }

    [Fact]
    public void CudaStatus_PrintsAsItsDescription()
    {
        var status = new CudaStatus(ProviderInPackage: true, ["libcudnn.so.9 (cuDNN 9 for CUDA 13)"]);

        Assert.Equal(status.Describe(), status.ToString());
        Assert.Contains("libcudnn.so.9 (cuDNN 9 for CUDA 13)", $"{status}");
        Assert.DoesNotContain("System.Collections", $"{status}");
        Assert.Equal(CudaSupport.Check().Describe(), CudaSupport.Check().ToString());
    }

    [Fact]
    public void Cuda_FromAnOnnxRuntimeWithoutTheProvider_RaisesOursNamingTheGpuPackage()
    {
        // The CPU-only package: its library has no CUDA entry point, which ORT's managed API met with EntryPointNotFoundException.
        using var session = new Microsoft.ML.OnnxRuntime.SessionOptions();
        var options = new RuntimeOptions { Device = ExecutionDevice.Cuda(0) };

        var e = Assert.Throws<ExecutionDeviceException>(() => SessionOptionsFactory.AppendCuda(session, options, new ListLogger(), providerInPackage: false));

        Assert.Equal(ExecutionDevice.Cuda(0), e.Device);
        Assert.Contains("cuda:0 cannot be used: the loaded ONNX Runtime has no CUDA provider", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux 1.32.0", e.Message);
        Assert.Contains("FallbackToCpu", e.Message);
    }

    [Fact]
    public void Cuda_FromAnOnnxRuntimeWithoutTheProvider_WithFallbackToCpu_LogsWhyAndStaysOnTheCpu()
    {
        using var session = new Microsoft.ML.OnnxRuntime.SessionOptions();
        var logger = new ListLogger();
        var options = new RuntimeOptions { Device = ExecutionDevice.Cuda(0), FallbackToCpu = true };

        SessionOptionsFactory.AppendCuda(session, options, logger, providerInPackage: false);

        string warning = Assert.Single(logger.Messages, m => m.Level == LogLevel.Warning).Text;
        Assert.Contains("running on the CPU", warning);
    }

    [Fact]
    public void Load_OnCudaWithoutItsLibraries_RaisesOneExceptionOfOursThatSaysWhatIsMissing()
    {
        if (CudaSupport.Check().IsAvailable)
        {
            return; // A machine with CUDA: the CPU-only machines this suite runs on cover the failure path.
        }

        byte[] bundle = TestBundles.Bytes(TestBundles.Maml());
        var options = new RuntimeOptions { Device = ExecutionDevice.Cuda(0) };

        var e = Assert.Throws<ExecutionDeviceException>(() => FewShotModel.Load(new MemoryStream(bundle), options));

        Assert.Equal(ExecutionDevice.Cuda(0), e.Device);
        Assert.Contains("cuda:0 cannot be used", e.Message);
        Assert.Contains(CudaSupport.Check().MissingLibraries[0], e.Message);
        Assert.Contains("FallbackToCpu", e.Message);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(e.InnerException);
    }

    [Fact]
    public void Load_OnCudaWithFallbackToCpu_RunsOnTheCpuAndLogsWhy()
    {
        if (CudaSupport.Check().IsAvailable)
        {
            return;
        }

        byte[] bundle = TestBundles.Bytes(TestBundles.Maml());
        var logger = new ListLogger();
        var options = new RuntimeOptions { Device = ExecutionDevice.Cuda(0), FallbackToCpu = true };

        using FewShotModel model = FewShotModel.Load(new MemoryStream(bundle), options, logger);
        AdaptedModel adapted = model.Adapt(BundleTestData.Examples(9), BundleTestData.Labels(9, "a", "b", "c"));

        Assert.Equal(9, adapted.Predict(BundleTestData.Examples(9)).Count);
        string warning = Assert.Single(logger.Messages, m => m.Level == LogLevel.Warning).Text;
        Assert.Contains("CPU", warning);
    }
}
