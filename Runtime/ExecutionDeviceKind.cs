namespace FewShot.Runtime;

/// <summary>The kind of hardware an <see cref="ExecutionDevice"/> names.</summary>
public enum ExecutionDeviceKind
{
    /// <summary>The CPU, through ORT's built-in CPU execution provider.</summary>
    Cpu = 0,

    /// <summary>An NVIDIA GPU, through ORT's CUDA execution provider.</summary>
    Cuda = 1,
}
