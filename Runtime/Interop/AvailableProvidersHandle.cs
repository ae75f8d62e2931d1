using System.Runtime.InteropServices;

namespace FewShot.Runtime.Interop;

/// <summary>The list of execution providers compiled into the loaded ONNX Runtime (<c>GetAvailableProviders</c>).</summary>
internal sealed unsafe class AvailableProvidersHandle : OrtHandle
{
    private readonly int _count;

    /// <summary>Gets the list from ORT.</summary>
    public AvailableProvidersHandle()
    {
        byte** names;
        int count;
        OrtNative.ThrowIfFailed(OrtNative.Api.GetAvailableProviders(&names, &count));
        _count = count;
        Own((nint)names);
    }

    /// <summary>Copies the provider names, e.g. "CUDAExecutionProvider", "CPUExecutionProvider".</summary>
    public string[] ToArray()
    {
        var names = new string[_count];
        byte** entries = (byte**)handle;
        for (int i = 0; i < _count; i++)
        {
            names[i] = Marshal.PtrToStringUTF8((nint)entries[i]) ?? string.Empty;
        }

        return names;
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        nint status = OrtNative.Api.ReleaseAvailableProviders((byte**)handle, _count);
        if (status == 0)
        {
            return true;
        }

        OrtNative.Api.ReleaseStatus(status);
        return false;
    }
}
