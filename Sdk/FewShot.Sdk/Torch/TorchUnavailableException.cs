namespace FewShot.Sdk.Torch;

/// <summary>
/// TorchSharp cannot do what was asked on this machine: its native libraries did not load, or a device was
/// requested that this TorchSharp package or machine does not have. The message says what to do;
/// <see cref="Exception.InnerException"/> holds TorchSharp's or the loader's original error when there is one.
/// </summary>
public sealed class TorchUnavailableException : Exception
{
    /// <summary>Creates the exception with a message that says what to do, and the original error if any.</summary>
    public TorchUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
