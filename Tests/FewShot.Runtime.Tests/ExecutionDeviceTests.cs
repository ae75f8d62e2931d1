using FewShot.Runtime.Interop;
using FewShot.Runtime.Tests.Models;

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
    public void Cuda_WithoutTheProviderLibrary_SaysWhatIsMissingAndHowToGetIt()
    {
        byte[] model = TestModels.Unary("Relu", TensorElementType.Float, 1);
        var options = new InferenceSessionOptions { Device = ExecutionDevice.Cuda(0) };
        if (CudaProviderIsPresent())
        {
            // A GPU build in FEWSHOT_ONNXRUNTIME_PATH: CUDA either starts, or fails with ORT's reason and our hint.
            AssertStartsOrExplains(() => new InferenceSession(model, options).Dispose());
            return;
        }

        var e = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(model, options));

        Assert.Equal(OrtErrorCode.Fail, e.ErrorCode);
        Assert.Contains("libonnxruntime_providers_cuda.so", e.Message);
        Assert.Contains("was not found", e.Message);
        Assert.Contains("FEWSHOT_ONNXRUNTIME_PATH", e.Message);
        Assert.Contains("CUDA 12", e.Message);
        Assert.Contains("cuDNN 9", e.Message);
    }

    [Fact]
    public void Cuda_WhenOrtCannotLoadTheProvider_WrapsOrtsError()
    {
        // Skips the file check, to drive ORT's own CUDA calls (Create/Update/ReleaseCUDAProviderOptions, Append_CUDA_V2).
        using var options = new SessionOptionsHandle();
        if (CudaProviderIsPresent())
        {
            AssertStartsOrExplains(() => NativeSessionOptions.AppendCuda(options, deviceId: 0));
            return;
        }

        var e = Assert.Throws<OnnxRuntimeException>(() => NativeSessionOptions.AppendCuda(options, deviceId: 0));

        var ortError = Assert.IsType<OnnxRuntimeException>(e.InnerException);
        Assert.Equal(OrtErrorCode.Fail, e.ErrorCode);
        Assert.Equal(ortError.ErrorCode, e.ErrorCode);
        Assert.Contains(ortError.OrtMessage, e.Message);
        Assert.Contains("CUDA 12", e.Message);
    }

    private static bool CudaProviderIsPresent() =>
        File.Exists(Path.Combine(Path.GetDirectoryName(OnnxRuntime.LibraryPath)!, NativeSessionOptions.CudaProviderLibraryName));

    private static void AssertStartsOrExplains(Action startCuda)
    {
        try
        {
            startCuda();
        }
        catch (OnnxRuntimeException e)
        {
            Assert.Contains("CUDA 12", e.Message);
        }
    }
}
