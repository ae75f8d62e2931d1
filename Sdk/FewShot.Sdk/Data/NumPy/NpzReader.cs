using System.IO.Compression;

namespace FewShot.Sdk.Data;

/// <summary>
/// Reads the arrays of a NumPy .npz archive: a zip (stored or deflated) of .npy entries. Not thread-safe: the
/// underlying <see cref="ZipArchive"/> reads one entry at a time. Dispose it to close the archive.
/// </summary>
public sealed class NpzReader : IDisposable
{
    private readonly ZipArchive archive;
    private readonly string source;

    /// <summary>Opens an archive from a stream; <paramref name="leaveOpen"/> says whether disposing leaves the stream open.</summary>
    /// <exception cref="InvalidDataException">The stream is not a zip archive.</exception>
    public NpzReader(Stream stream, bool leaveOpen = false)
        : this(stream, leaveOpen, "npz stream")
    {
    }

    private NpzReader(Stream stream, bool leaveOpen, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.source = source;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{source} is not a valid zip (npz) archive: {ex.Message}", ex);
        }

        Names = archive.Entries
            .Select(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName)
            .ToArray();
    }

    /// <summary>The names of the arrays in the archive, without the ".npy" suffix, in archive order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Opens the .npz file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip archive.</exception>
    public static NpzReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return new NpzReader(stream, leaveOpen: false, $"'{path}'");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Whether the archive holds an array named <paramref name="name"/> ("images" or "images.npy").</summary>
    public bool Contains(string name) => FindEntry(name) is not null;

    /// <summary>Reads the array named <paramref name="name"/> ("images" or "images.npy") into memory.</summary>
    /// <exception cref="KeyNotFoundException">No such array; the message lists those present.</exception>
    /// <exception cref="InvalidDataException">The entry is not a valid, supported .npy array.</exception>
    public NpyArray Read(string name)
    {
        var entry = GetEntry(name);
        using var stream = entry.Open();
        return WithEntryName(name, () => NpyReader.Read(stream, entry.Length));
    }

    /// <summary>
    /// Opens the raw .npy bytes of the array named <paramref name="name"/>, for streaming through
    /// <see cref="NpyReader.ReadHeader"/> and piecewise reads. The caller owns and disposes the stream, and must
    /// do so before opening another entry.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such array; the message lists those present.</exception>
    public Stream OpenEntry(string name) => GetEntry(name).Open();

    /// <summary>Closes the archive (and the stream, unless it was opened with leaveOpen).</summary>
    public void Dispose() => archive.Dispose();

    private ZipArchiveEntry GetEntry(string name) =>
        FindEntry(name) ?? throw new KeyNotFoundException(
            $"{source} has no array named '{name}'; it holds: {(Names.Count == 0 ? "nothing" : string.Join(", ", Names))}");

    private ZipArchiveEntry? FindEntry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return archive.GetEntry(name.EndsWith(".npy", StringComparison.Ordinal) ? name : name + ".npy")
            ?? archive.GetEntry(name);
    }

    private T WithEntryName<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{source}, array '{name}': {ex.Message}", ex);
        }
    }
}
