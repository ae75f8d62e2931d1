namespace FewShot.Runtime.Bundles;

/// <summary>
/// An adapted-state file cannot be loaded: wrong magic or format version, truncated or corrupted (its SHA-256 does not
/// match), made for another base model, or holding tensors, shapes or labels that the base model does not expect.
/// The message names the problem. An <see cref="IOException"/>, like <see cref="InvalidBundleException"/>.
/// </summary>
public sealed class InvalidAdaptedStateException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the offending value and what was expected.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public InvalidAdaptedStateException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
