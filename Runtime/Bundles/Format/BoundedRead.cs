namespace FewShot.Runtime.Bundles;

/// <summary>Reads a stream to its end, refusing to hold more than a cap: files from outside are never trusted for their size.</summary>
internal static class BoundedRead
{
    /// <summary>Every remaining byte of <paramref name="stream"/>.</summary>
    /// <exception cref="Exception">The one <paramref name="tooLarge"/> makes, once more than <paramref name="cap"/> bytes arrive.</exception>
    public static byte[] All(Stream stream, long cap, string what, Func<string, Exception> tooLarge)
    {
        // A seekable stream's remaining length sizes the buffer once (a file's state: one array instead of five growing
        // ones and a copy); it is only a hint, at most 16 MB as for zip entries (a stream that lies about its length
        // reserves no more), and what arrives is counted all the same.
        int expected = stream.CanSeek ? (int)Math.Clamp(stream.Length - stream.Position, 0, Math.Min(cap, 1 << 24)) : 0;
        using var buffer = new MemoryStream(expected);
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw tooLarge($"The {what} is larger than the {Counted.Of(cap, "byte", "bytes")} allowed (RuntimeOptions.MaxEntryBytes).");
            }

            buffer.Write(chunk, 0, read);
        }

        return WholeBuffer(buffer);
    }

    /// <summary>The stream's bytes: its own array when they fill it exactly, else a copy.</summary>
    public static byte[] WholeBuffer(MemoryStream buffer) =>
        buffer.TryGetBuffer(out ArraySegment<byte> bytes) && bytes.Offset == 0 && bytes.Count == bytes.Array!.Length ? bytes.Array : buffer.ToArray();
}
