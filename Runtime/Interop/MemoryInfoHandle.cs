namespace FewShot.Runtime.Interop;

/// <summary>An <c>OrtMemoryInfo</c> that describes CPU memory.</summary>
internal sealed unsafe class MemoryInfoHandle : OrtHandle
{
    /// <summary>Creates a CPU memory description.</summary>
    /// <param name="allocatorType">An <c>OrtAllocatorType</c> (0 device, 1 arena).</param>
    /// <param name="memoryType">An <c>OrtMemType</c> (0 default).</param>
    public MemoryInfoHandle(int allocatorType, int memoryType)
    {
        nint info;
        OrtNative.ThrowIfFailed(OrtNative.Api.CreateCpuMemoryInfo(allocatorType, memoryType, &info));
        Own(info);
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseMemoryInfo(handle);
        return true;
    }
}
