namespace FewShot.Runtime;

/// <summary>The execution device that was asked for cannot be used on this machine; the message says what is missing and how to get it.</summary>
public sealed class ExecutionDeviceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="device">The device asked for.</param>
    /// <param name="message">What is missing and how to get it.</param>
    /// <param name="innerException">ONNX Runtime's own error, if any.</param>
    public ExecutionDeviceException(ExecutionDevice device, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Device = device;
    }

    /// <summary>The device that was asked for.</summary>
    public ExecutionDevice Device { get; }

    internal static ExecutionDeviceException CudaUnavailable(ExecutionDevice device, Exception ortError)
    {
        CudaStatus status = CudaSupport.Check();
        string reason = status.IsAvailable ? $"ONNX Runtime could not start it: {ortError.Message.Trim()}" : status.Describe();
        return new ExecutionDeviceException(
            device,
            $"{device} cannot be used: {reason}. Set RuntimeOptions.Device to ExecutionDevice.Cpu, or RuntimeOptions.FallbackToCpu "
                + "to run on the CPU when CUDA is unavailable.",
            ortError);
    }
}
