namespace FewShot.Runtime;

/// <summary>The execution device that was asked for cannot be used on this machine; the message says what is missing and how to get it.</summary>
public sealed class ExecutionDeviceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="device">The device asked for.</param>
    /// <param name="message">What is missing and how to get it.</param>
    /// <param name="innerException">ONNX Runtime's own error, or .NET's error loading ONNX Runtime's library, if any.</param>
    public ExecutionDeviceException(ExecutionDevice device, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Device = device;
    }

    /// <summary>The device that was asked for.</summary>
    public ExecutionDevice Device { get; }

    /// <summary>CUDA asked for from an ONNX Runtime that has no CUDA provider: the CPU-only Microsoft.ML.OnnxRuntime.</summary>
    internal static ExecutionDeviceException CudaNotInPackage(ExecutionDevice device) =>
        Unavailable(device, new CudaStatus(ProviderInPackage: false, []).Describe(), innerException: null);

    internal static ExecutionDeviceException CudaUnavailable(ExecutionDevice device, Exception ortError)
    {
        CudaStatus status = CudaSupport.Check();
        string reason = status.IsAvailable ? $"ONNX Runtime could not start it: {ortError.Message.Trim()}" : status.Describe();
        return Unavailable(device, reason, ortError);
    }

    /// <summary>ONNX Runtime's native library did not load, so that no device, the CPU included, can be used.</summary>
    /// <param name="device">The device asked for.</param>
    /// <param name="loadError">.NET's error loading the library.</param>
    /// <param name="foundAt">Where the library was found though it did not load, or null where it was not found.</param>
    internal static ExecutionDeviceException OnnxRuntimeMissing(ExecutionDevice device, DllNotFoundException loadError, string? foundAt)
    {
        string version = OnnxRuntimeEnvironment.ManagedVersion;
        string message = foundAt is null
            ? $"{device} cannot be used: ONNX Runtime's native library (onnxruntime) is not in the application. FewShot.Runtime "
                + $"brings ONNX Runtime's managed API only; the application must reference one native package of the same version: "
                + $"Microsoft.ML.OnnxRuntime {version} (CPU) or Microsoft.ML.OnnxRuntime.Gpu.Linux {version} (CPU and CUDA), "
                + $"e.g. `dotnet add package Microsoft.ML.OnnxRuntime --version {version}`."
            : $"{device} cannot be used: ONNX Runtime's native library is at {foundAt} but does not load (a library it needs "
                + $"is missing, or it is built for another system): {loadError.Message.Trim()}";
        return new ExecutionDeviceException(device, message, loadError);
    }

    private static ExecutionDeviceException Unavailable(ExecutionDevice device, string reason, Exception? innerException) =>
        new(
            device,
            $"{device} cannot be used: {reason}. Set RuntimeOptions.Device to ExecutionDevice.Cpu, or RuntimeOptions.FallbackToCpu "
                + "to run on the CPU when CUDA is unavailable.",
            innerException);
}
