using System.Runtime.InteropServices;

namespace FewShot.Runtime.Interop;

/// <summary>A UTF-8 string that ORT allocated with its default allocator; freed through that allocator.</summary>
internal sealed unsafe class AllocatorStringHandle : OrtHandle
{
    /// <summary>Gets the name of a session's input, output or overridable initializer.</summary>
    /// <param name="session">The session, used only during this call.</param>
    /// <param name="index">Position in the list that <paramref name="kind"/> names.</param>
    /// <param name="kind">Which list.</param>
    public AllocatorStringHandle(SessionHandle session, int index, SessionValueKind kind)
    {
        byte* name;
        nint allocator = OrtNative.DefaultAllocator;
        nint native = session.DangerousGetHandle();
        OrtNative.ThrowIfFailed(kind switch
        {
            SessionValueKind.Input => OrtNative.Api.SessionGetInputName(native, (nuint)index, allocator, &name),
            SessionValueKind.Output => OrtNative.Api.SessionGetOutputName(native, (nuint)index, allocator, &name),
            _ => OrtNative.Api.SessionGetOverridableInitializerName(native, (nuint)index, allocator, &name),
        });
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
