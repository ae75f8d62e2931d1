using System.IO.Compression;
using FewShot.Bundles;

namespace FewShot.Sdk.Data;

/// <summary>Writes NumPy .npz archives (a zip of .npy entries), as <c>numpy.savez</c> and <c>savez_compressed</c> do.</summary>
public static class NpzWriter
{
    /// <summary>
    /// Writes the named arrays to <paramref name="path"/> atomically (a temporary file renamed over the target).
    /// Each name gets ".npy" appended unless it already ends so; <paramref name="compress"/> chooses deflate
    /// (<c>savez_compressed</c>) over stored entries (<c>savez</c>).
    /// </summary>
    /// <exception cref="ArgumentException">Two names map to the same entry, or a name is empty.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> arrays, bool compress = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arrays);
        var entries = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        foreach (var (name, array) in arrays)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(arrays));
            ArgumentNullException.ThrowIfNull(array, nameof(arrays));
            string entryName = name.EndsWith(".npy", StringComparison.Ordinal) ? name : name + ".npy";
            if (!entries.TryAdd(entryName, array))
            {
                throw new ArgumentException($"two arrays are named '{entryName}'", nameof(arrays));
            }
        }

        var level = compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
        AtomicFile.Write(path, stream =>
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (entryName, array) in entries)
            {
                using var entryStream = archive.CreateEntry(entryName, level).Open();
                NpyWriter.Write(entryStream, array);
            }
        });
    }
}
