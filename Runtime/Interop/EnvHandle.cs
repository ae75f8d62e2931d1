namespace FewShot.Runtime.Interop;

/// <summary>An <c>OrtEnv</c>: ORT's logging and global state.</summary>
/// <remarks>ORT reference-counts one environment per process; creating another returns the same one.</remarks>
internal sealed unsafe class EnvHandle : OrtHandle
{
    /// <summary>Creates (or adds a reference to) the environment.</summary>
    /// <param name="loggingLevel">An <c>OrtLoggingLevel</c>: 0 verbose … 4 fatal.</param>
    /// <param name="logId">Name that prefixes ORT's log lines.</param>
    public EnvHandle(int loggingLevel, string logId)
    {
        nint env;
        fixed (byte* id = NativeStrings.Utf8(logId))
        {
            OrtNative.ThrowIfFailed(OrtNative.Api.CreateEnv(loggingLevel, id, &env));
        }

        Own(env);
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseEnv(handle);
        return true;
    }
}
