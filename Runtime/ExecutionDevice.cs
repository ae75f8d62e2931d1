namespace FewShot.Runtime;

/// <summary>Where a session runs: <see cref="Cpu"/> or <see cref="Cuda(int)"/>. Immutable and thread-safe.</summary>
/// <remarks>
/// CUDA needs the application to reference Microsoft.ML.OnnxRuntime.Gpu.Linux (not the CPU-only Microsoft.ML.OnnxRuntime),
/// an NVIDIA driver, and the CUDA 13 and cuDNN 9 libraries (<see cref="CudaSupport.RequiredLibraries"/>). Whether they are
/// present is checked when a model loads, which then raises <see cref="ExecutionDeviceException"/> naming what is missing;
/// <see cref="CudaSupport.Check"/> asks beforehand.
/// </remarks>
public sealed class ExecutionDevice : IEquatable<ExecutionDevice>
{
    private ExecutionDevice(ExecutionDeviceKind kind, int deviceId)
    {
        Kind = kind;
        DeviceId = deviceId;
    }

    /// <summary>The CPU.</summary>
    public static ExecutionDevice Cpu { get; } = new(ExecutionDeviceKind.Cpu, 0);

    /// <summary>The kind of hardware.</summary>
    public ExecutionDeviceKind Kind { get; }

    /// <summary>The CUDA device ordinal; 0 for the CPU.</summary>
    public int DeviceId { get; }

    /// <summary>An NVIDIA GPU.</summary>
    /// <param name="deviceId">CUDA device ordinal, 0 for the first GPU.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deviceId"/> is negative.</exception>
    public static ExecutionDevice Cuda(int deviceId = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        return new ExecutionDevice(ExecutionDeviceKind.Cuda, deviceId);
    }

    /// <summary>"cpu" or "cuda:N".</summary>
    public override string ToString() => Kind == ExecutionDeviceKind.Cpu ? "cpu" : $"cuda:{DeviceId}";

    /// <inheritdoc/>
    public bool Equals(ExecutionDevice? other) => other is not null && other.Kind == Kind && other.DeviceId == DeviceId;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ExecutionDevice);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, DeviceId);
}
