namespace FewShot.Runtime.Interop;

/// <summary>An <c>OrtRunOptions</c>; FewShot uses it to stop a run that is in progress.</summary>
internal sealed unsafe class RunOptionsHandle : OrtHandle
{
    /// <summary>Creates run options with ORT's defaults.</summary>
    public RunOptionsHandle()
    {
        nint options;
        OrtNative.ThrowIfFailed(OrtNative.Api.CreateRunOptions(&options));
        Own(options);
    }

    /// <summary>Asks every run that uses these options to stop; ORT then fails the run. Safe from any thread.</summary>
    public void Terminate()
    {
        // Runs from a CancellationToken callback, where throwing would surface in the code that cancelled.
        nint status = OrtNative.Api.RunOptionsSetTerminate(handle);
        if (status != 0)
        {
            OrtNative.Api.ReleaseStatus(status);
        }
    }

    /// <inheritdoc/>
    protected override bool Release()
    {
        OrtNative.Api.ReleaseRunOptions(handle);
        return true;
    }
}
