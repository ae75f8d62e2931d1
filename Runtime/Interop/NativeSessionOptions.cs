using System.Globalization;

namespace FewShot.Runtime.Interop;

/// <summary>Turns <see cref="InferenceSessionOptions"/> into an <c>OrtSessionOptions</c>, validating each value as it is used.</summary>
internal static class NativeSessionOptions
{
    /// <summary>File name of ORT's CUDA execution provider library on this OS.</summary>
    public static string CudaProviderLibraryName =>
        OperatingSystem.IsWindows() ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so";

    /// <summary>Creates native session options from <paramref name="options"/>.</summary>
    /// <returns>Fresh options, owned by the caller.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A thread count is negative, or an enum value is undefined.</exception>
    /// <exception cref="OnnxRuntimeException">ORT rejects a setting, or the requested device's provider is unavailable.</exception>
    public static unsafe SessionOptionsHandle Create(InferenceSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads, nameof(options.IntraOpThreads));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads, nameof(options.InterOpThreads));
        ThrowIfUndefined(options.GraphOptimizationLevel, nameof(options.GraphOptimizationLevel));
        ThrowIfUndefined(options.ExecutionMode, nameof(options.ExecutionMode));
        ThrowIfUndefined(options.LogSeverity, nameof(options.LogSeverity));
        ExecutionDevice device = options.Device ?? throw new ArgumentNullException(nameof(options), "InferenceSessionOptions.Device is null; use ExecutionDevice.Cpu or ExecutionDevice.Cuda(id).");

        var handle = new SessionOptionsHandle();
        try
        {
            OrtApi api = OrtNative.Api;
            nint native = handle.DangerousGetHandle();
            OrtNative.ThrowIfFailed(api.SetIntraOpNumThreads(native, options.IntraOpThreads));
            OrtNative.ThrowIfFailed(api.SetInterOpNumThreads(native, options.InterOpThreads));
            OrtNative.ThrowIfFailed(api.SetSessionGraphOptimizationLevel(native, (int)options.GraphOptimizationLevel));
            OrtNative.ThrowIfFailed(api.SetSessionExecutionMode(native, (int)options.ExecutionMode));
            OrtNative.ThrowIfFailed(api.SetSessionLogSeverityLevel(native, (int)options.LogSeverity));
            if (!options.AllowSpinning)
            {
                AddConfigEntry(native, "session.intra_op.allow_spinning", "0");
            }

            if (options.StopSpinningAfterRun)
            {
                AddConfigEntry(native, "session.force_spinning_stop", "1");
            }

            if (options.ProfilingFilePrefix is { } prefix)
            {
                EnableProfiling(native, prefix);
            }

            if (device.Kind == ExecutionDeviceKind.Cuda)
            {
                ThrowIfCudaProviderMissing(device.DeviceId);
                AppendCuda(handle, device.DeviceId);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static unsafe void AddConfigEntry(nint options, string key, string value)
    {
        fixed (byte* k = NativeStrings.Utf8(key))
        fixed (byte* v = NativeStrings.Utf8(value))
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.AddSessionConfigEntry(options, k, v));
        }
    }

    private static unsafe void EnableProfiling(nint options, string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix, nameof(InferenceSessionOptions.ProfilingFilePrefix));
        fixed (byte* text = NativeStrings.OrtChars(prefix))
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.EnableProfiling(options, text));
        }
    }

    /// <summary>Adds the CUDA execution provider for <paramref name="deviceId"/>; ORT loads the provider library here.</summary>
    /// <exception cref="OnnxRuntimeException">ORT cannot load or start the CUDA provider; the message says what to install.</exception>
    public static unsafe void AppendCuda(SessionOptionsHandle options, int deviceId)
    {
        // ORT's CUDA option calls log through the environment and fail without one ("no DefaultLogger").
        _ = OrtNative.Env;
        try
        {
            using var cuda = new CudaProviderOptionsHandle();
            cuda.Set("device_id", deviceId.ToString(CultureInfo.InvariantCulture));
            OrtNative.ThrowIfFailed(OrtNative.Api.SessionOptionsAppendExecutionProvider_CUDA_V2(
                options.DangerousGetHandle(), cuda.DangerousGetHandle()));
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxRuntimeException(
                e.ErrorCode,
                $"ONNX Runtime could not start the CUDA execution provider for device {deviceId}: {e.OrtMessage} "
                + $"The CUDA provider ({CudaProviderLibraryName}, next to {OrtNative.LibraryPath}) needs CUDA 12 and cuDNN 9 "
                + "installed and on the library path, and a GPU with that device id.",
                e);
        }
    }

    private static void ThrowIfCudaProviderMissing(int deviceId)
    {
        // Checked before ORT tries, because ORT's own failure ("Failed to load shared library") names no file and no fix.
        string ortDirectory = Path.GetDirectoryName(OrtNative.LibraryPath) ?? ".";
        string provider = Path.Combine(ortDirectory, CudaProviderLibraryName);
        if (!File.Exists(provider))
        {
            throw new OnnxRuntimeException(
                OrtErrorCode.Fail,
                $"CUDA device {deviceId} was requested, but the CUDA execution provider library {CudaProviderLibraryName} was not "
                + $"found: ONNX Runtime loads it from the folder of the ONNX Runtime library in use ({OrtNative.LibraryPath}), and "
                + $"{provider} does not exist (the ONNX Runtime that the build bundles ships without it). To run on CUDA, download the ONNX Runtime "
                + $"1.30 GPU build for this platform (onnxruntime-linux-x64-gpu-1.30.0), set {OrtLibraryLoader.PathVariable} to its "
                + "lib/libonnxruntime.so.1 (the folder also holds libonnxruntime_providers_cuda.so and "
                + "libonnxruntime_providers_shared.so), and install CUDA 12 and cuDNN 9. Or use ExecutionDevice.Cpu.");
        }
    }

    private static void ThrowIfUndefined<TEnum>(TEnum value, string name)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
    }
}
