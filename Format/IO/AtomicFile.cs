namespace FewShot.Bundles;

/// <summary>Writes a file so that readers see either the old content or the complete new one.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file in the target's directory, flushes it to disk, then
    /// renames it over <paramref name="path"/>; on failure the temporary file is removed and the target untouched.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The target's folder does not exist.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, or the file cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names no file", nameof(path));
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"cannot write '{fullPath}': directory '{directory}' does not exist");
        }

        if (Directory.Exists(fullPath))
        {
            // Checked first: the rename would fail only after the whole content had been written and flushed.
            throw new IOException($"cannot write '{fullPath}': it is a folder; give a file path");
        }

        // Same directory, so that the final rename stays on one file system and is atomic.
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> atomically, as <see cref="Write"/> does.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }
}
