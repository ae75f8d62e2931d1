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

    /// <summary>Reads "cpu", "cuda" (device 0) or "cuda:N", in any case: the form <see cref="ToString"/> writes.</summary>
    /// <param name="text">The device's name.</param>
    /// <returns>The device.</returns>
    /// <exception cref="FormatException">The text is none of those forms.</exception>
    public static ExecutionDevice Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string name = text.Trim().ToLowerInvariant();
        if (name == "cpu")
        {
            return Cpu;
        }

        if (name == "cuda")
        {
            return Cuda(0);
        }

        if (name.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
        {
            return Cuda(id);
        }

        throw new FormatException($"'{text}' is not an execution device; expected \"cpu\", \"cuda\" or \"cuda:N\" (N a device ordinal, 0 for the first GPU).");
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
