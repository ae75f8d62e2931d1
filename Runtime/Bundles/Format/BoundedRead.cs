namespace FewShot.Runtime.Bundles;

/// <summary>Reads a stream to its end, refusing to hold more than a cap: files from outside are never trusted for their size.</summary>
internal static class BoundedRead
{
    /// <summary>Every remaining byte of <paramref name="stream"/>.</summary>
    /// <exception cref="Exception">The one <paramref name="tooLarge"/> makes, once more than <paramref name="cap"/> bytes arrive.</exception>
    public static byte[] All(Stream stream, long cap, string what, Func<string, Exception> tooLarge)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw tooLarge($"The {what} is larger than the {cap} bytes allowed (RuntimeOptions.MaxEntryBytes).");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
