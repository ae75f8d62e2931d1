using System.Runtime.InteropServices;

namespace FewShot.Runtime.Interop;

/// <summary>A UTF-8 string that ORT allocated with its default allocator; freed through that allocator.</summary>
internal sealed unsafe class AllocatorStringHandle : OrtHandle
{
    /// <summary>Gets the name of a session's input or output.</summary>
    /// <param name="session">The session, used only during this call.</param>
    /// <param name="index">Position of the input or output.</param>
    /// <param name="output">True for an output name, false for an input name.</param>
    public AllocatorStringHandle(SessionHandle session, int index, bool output)
    {
        byte* name;
        nint allocator = OrtNative.DefaultAllocator;
        OrtNative.ThrowIfFailed(output
            ? OrtNative.Api.SessionGetOutputName(session.DangerousGetHandle(), (nuint)index, allocator, &name)
            : OrtNative.Api.SessionGetInputName(session.DangerousGetHandle(), (nuint)index, allocator, &name));
        Own((nint)name);
    }

    /// <summary>The string's value.</summary>
    public override string ToString() => Marshal.PtrToStringUTF8(handle) ?? string.Empty;

    /// <inheritdoc/>
    protected override bool Release()
    {
        nint status = OrtNative.Api.AllocatorFree(OrtNative.DefaultAllocator, (void*)handle);
        if (status == 0)
        {
            return true;
        }

        OrtNative.Api.ReleaseStatus(status);
        return false;
    }
}
