namespace FewShot.Runtime.Bundles;

/// <summary>
/// A bundle cannot be loaded: it is not a readable zip, holds unexpected or oversized entries, a file's SHA-256 differs
/// from the manifest's, the manifest breaks a rule or has an unknown format version, a graph breaks the contract, or a
/// graph fails to run on inputs of the manifest's shapes (Load's warm-up).
/// The message names the entry and the problem. An <see cref="IOException"/>, like a file that cannot be read: a
/// caller that loads files already handles it (the BCL's <see cref="InvalidDataException"/> is sealed).
/// </summary>
public sealed class InvalidBundleException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="entryName">The zip entry at fault (e.g. "adapt.onnx"), or null when the archive as a whole is.</param>
    /// <param name="message">What is wrong, naming the offending value and what was expected.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public InvalidBundleException(string? entryName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        EntryName = entryName;
    }

    /// <summary>The zip entry at fault, or null when the archive as a whole is.</summary>
    public string? EntryName { get; }
}
