namespace FewShot.Bundles;

/// <summary>
/// A file breaks the bundle format: raised by the format's readers (<see cref="ManifestJson"/>, <see cref="TensorSet"/>),
/// which FewShot.Runtime turns into its own InvalidBundleException or InvalidAdaptedStateException.
/// </summary>
public sealed class BundleFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="entryName"/> (null when no one entry is at fault).</summary>
    public BundleFormatException(string? entryName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        EntryName = entryName;
    }

    /// <summary>The entry at fault, e.g. "manifest.json", or null.</summary>
    public string? EntryName { get; }
}
