namespace FewShot.Runtime.Interop;

/// <summary>An <c>OrtSession</c>: a loaded model, ready to run. ORT allows concurrent runs on one session.</summary>
internal sealed unsafe class SessionHandle : OrtHandle
{
    /// <summary>Loads a model from its serialized bytes (ORT copies what it needs; the bytes may go afterwards).</summary>
    public SessionHandle(EnvHandle env, ReadOnlySpan<byte> model, SessionOptionsHandle options)
    {
        nint session;
        fixed (byte* data = model)
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.CreateSessionFromArray(
                env.DangerousGetHandle(), data, (nuint)model.Length, options.DangerousGetHandle(), &session));
        }

        Own(session);
    }

    /// <summary>Loads a model from a file (ORTCHAR_T is UTF-16 on Windows and UTF-8 elsewhere).</summary>
    public SessionHandle(EnvHandle env, string modelPath, SessionOptionsHandle options)
    {
        nint session;
        fixed (byte* path = NativeStrings.OrtChars(modelPath))
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.CreateSession(env.DangerousGetHandle(), path, options.DangerousGetHandle(), &session));
        }

        Own(session);
    }

    /// <summary>Number of model inputs, outputs or overridable initializers.</summary>
    public int GetCount(SessionValueKind kind)
    {
        nuint count;
        OrtNative.ThrowIfFailed(kind switch
        {
            SessionValueKind.Input => OrtNative.Api.SessionGetInputCount(handle, &count),
            SessionValueKind.Output => OrtNative.Api.SessionGetOutputCount(handle, &count),
            _ => OrtNative.Api.SessionGetOverridableInitializerCount(handle, &count),
        });
        return checked((int)count);
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseSession(handle);
        return true;
    }
}
