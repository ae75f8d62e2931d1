namespace FewShot.Runtime.Bundles;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new one: a temporary file in the same
/// folder, flushed to disk, then renamed over the target. (FewShot.Exporters has its own; the runtime cannot use it.)
/// </summary>
internal static class AtomicFile
{
    /// <exception cref="DirectoryNotFoundException">The target's folder does not exist.</exception>
    /// <exception cref="IOException">The file cannot be written; the target is then untouched and no temporary file is left.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot write '{fullPath}': folder '{directory}' does not exist.");
        }

        // The same folder keeps the rename on one file system, where it is atomic.
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
}
