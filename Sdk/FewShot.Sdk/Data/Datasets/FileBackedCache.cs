using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace FewShot.Sdk.Data;

/// <summary>
/// Keeps whole-dataset loads per key for the life of the process, and loads again when a file behind the key has
/// changed since (its size or last write time, or whether it exists), so a process that reloads after its data was
/// replaced at the same path gets the new data instead of the old copy. A failed load is not kept: the files may be
/// fixed and the call retried. Thread-safe; concurrent first calls for one key load once.
/// </summary>
/// <remarks>
/// A file rewritten with the same size within the file system's timestamp resolution (nanoseconds on ext4, 100 ns
/// on NTFS) is not noticed; runs that must know their data use <see cref="Runs.DataFingerprint"/>.
/// </remarks>
internal sealed class FileBackedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> entries = new();
    private readonly Func<TKey, IEnumerable<string>> files;
    private readonly Func<TKey, TValue> load;

    /// <param name="files">The files a key's load reads (or may read: candidates that do not exist are stamped as absent).</param>
    /// <param name="load">Reads a key's value from its files.</param>
    public FileBackedCache(Func<TKey, IEnumerable<string>> files, Func<TKey, TValue> load)
    {
        this.files = files;
        this.load = load;
    }

    /// <summary>The cached value for <paramref name="key"/>, loaded now when absent or when its files changed.</summary>
    public TValue Get(TKey key)
    {
        string stamp = Stamp(files(key));
        Entry entry = entries.AddOrUpdate(
            key,
            k => new Entry(stamp, new Lazy<TValue>(() => load(k))),
            (k, cached) => cached.Stamp == stamp ? cached : new Entry(stamp, new Lazy<TValue>(() => load(k))));
        try
        {
            return entry.Value.Value;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
            throw;
        }
    }

    /// <summary>Forgets every load, releasing its memory once nothing else refers to it.</summary>
    public void Clear() => entries.Clear();

    private static string Stamp(IEnumerable<string> paths)
    {
        var stamp = new StringBuilder();
        foreach (string path in paths)
        {
            var file = new FileInfo(path);
            stamp.Append(file.Exists
                ? string.Create(CultureInfo.InvariantCulture, $"{file.Length}@{file.LastWriteTimeUtc.Ticks};")
                : "-;");
        }

        return stamp.ToString();
    }

    private sealed record Entry(string Stamp, Lazy<TValue> Value);
}
