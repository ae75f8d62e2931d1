namespace FewShot.Runtime.Interop;

/// <summary>An <c>OrtSessionOptions</c>.</summary>
internal sealed unsafe class SessionOptionsHandle : OrtHandle
{
    /// <summary>Creates session options with ORT's defaults.</summary>
    public SessionOptionsHandle()
    {
        nint options;
        OrtNative.ThrowIfFailed(OrtNative.Api.CreateSessionOptions(&options));
        Own(options);
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseSessionOptions(handle);
        return true;
    }
}
