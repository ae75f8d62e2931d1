using System.Runtime.InteropServices;

namespace FewShot.Runtime.Interop;

/// <summary>
/// Base of the handles to native ONNX Runtime objects: zero is invalid, the handle owns the object, and
/// <see cref="SafeHandle.Dispose()"/> releases it exactly once (and never throws).
/// </summary>
/// <remarks>
/// Subclasses follow one pattern: the constructor makes one create call and stores the result with
/// <see cref="Own"/> only on success; <see cref="Release"/> makes one release call.
/// Callers that share a handle across threads pass it to native code between <see cref="SafeHandle.DangerousAddRef"/> and
/// <see cref="SafeHandle.DangerousRelease"/>, so a concurrent Dispose waits for the call to finish.
/// </remarks>
internal abstract class OrtHandle : SafeHandle
{
    private static long s_liveCount;

    /// <summary>Creates an invalid handle that a subclass constructor then fills in.</summary>
    protected OrtHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    /// <summary>
    /// Native objects that FewShot created and has not released yet, across the process: the leak counter that tests
    /// assert returns to where it was.
    /// </summary>
    public static long LiveCount => Interlocked.Read(ref s_liveCount);

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Takes ownership of a native object that a create call returned.</summary>
    protected void Own(nint value)
    {
        SetHandle(value);
        Interlocked.Increment(ref s_liveCount);
    }

    /// <summary>Releases the native object with its one release call.</summary>
    /// <returns>False when ORT reported a failure, which the runtime then treats as a failed release.</returns>
    protected abstract bool Release();

    /// <inheritdoc/>
    protected sealed override bool ReleaseHandle()
    {
        Interlocked.Decrement(ref s_liveCount);
        return Release();
    }
}
