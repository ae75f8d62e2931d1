using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FewShot.Sdk.Data;

namespace FewShot.Sdk.Runs;

/// <summary>
/// What a run's data held when the run started, recorded in run.json (<see cref="RunConfiguration.DataFingerprint"/>):
/// the files its loader reads, their total length and a SHA-256 of them. A run is tied to its data by contents, not by
/// path, so data replaced at the same path is noticed and data that only moved is recognised.
/// </summary>
/// <param name="Files">How many files the loader reads (1 for an .npz).</param>
/// <param name="Bytes">Their total length in bytes.</param>
/// <param name="Sha256">
/// SHA-256 in lowercase hex. Of a single file (an .npz): of its bytes, what <c>sha256sum</c> prints. Of a folder: over
/// each file the loader reads, in ordinal order of its path relative to the folder ('/'-separated): that path in UTF-8,
/// a zero byte, its length (8 bytes, little-endian) and its bytes; files the loader skips (hidden folders, other
/// extensions) are not part of it, so a moved or copied folder gives the same fingerprint.
/// </param>
public sealed record DataFingerprint(int Files, long Bytes, string Sha256)
{
    /// <summary>
    /// The fingerprint of the data <paramref name="configuration"/> names: its .npz (npz), the two archives (omniglot),
    /// the images of its class folders (folder; those of <see cref="RunConfiguration.ValidationFolder"/> only when the run reads it, so a run started before val/ folders were read keeps its fingerprint) or the four IDX files (fashion-mnist, from its default folder unless
    /// <see cref="RunConfiguration.DataPath"/> says). Reads every byte of them: for a few thousand small images, a small
    /// part of what decoding them costs.
    /// </summary>
    /// <returns>Null for sinusoid (generated), for data of the caller's own (a dataset name the Sdk does not load), and when the path is not there (<see cref="RunData.Load(RunConfiguration, int?, int?)"/> then names it).</returns>
    public static DataFingerprint? Of(RunConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration.DataPath is { Length: > 0 } given ? given : null;
        switch (configuration.Dataset)
        {
            case "npz" when path is not null && File.Exists(path):
                return OfFile(path);
            case "omniglot" when path is not null && Omniglot.Archives.All(name => File.Exists(Path.Combine(path, name))):
                return OfFolder(path, Omniglot.Archives.Select(name => Path.Combine(path, name)));
            case "folder" when path is not null && Directory.Exists(path):
                return OfFolder(path, ImageFolder.ImagesRead(path, configuration.ValidationFolder));
            case "fashion-mnist" when Directory.Exists(path ?? FashionMnist.DefaultDirectory) && FashionMnist.Files(path ?? FashionMnist.DefaultDirectory) is { } files:
                return OfFolder(path ?? FashionMnist.DefaultDirectory, files);
            default:
                return null;
        }
    }

    /// <summary>The fingerprint of one file: its length and the SHA-256 of its bytes.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static DataFingerprint OfFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var bytes = Append(hash, path);
        return new DataFingerprint(1, bytes, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>The fingerprint of <paramref name="files"/> inside <paramref name="root"/>, by their paths relative to it.</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static DataFingerprint OfFolder(string root, IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(files);
        var named = files.Select(file => (Name: Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'), File: file))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToArray();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[sizeof(long)];
        long total = 0;
        foreach (var (name, file) in named)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData([0]);
            BinaryPrimitives.WriteInt64LittleEndian(length, new FileInfo(file).Length);
            hash.AppendData(length);
            total += Append(hash, file);
        }

        return new DataFingerprint(named.Length, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>How <paramref name="current"/> differs from this recorded fingerprint, for a message ("1,204 bytes where it had 1,200").</summary>
    public string Difference(DataFingerprint current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var parts = new List<string>();
        if (current.Files != Files)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{current.Files:N0} files where it had {Files:N0}"));
        }

        if (current.Bytes != Bytes)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{current.Bytes:N0} bytes where it had {Bytes:N0}"));
        }

        if (parts.Count == 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"the same {(Files == 1 ? "length" : $"{Files:N0} files and {Bytes:N0} bytes")} but other contents"));
        }

        return $"{string.Join(", ", parts)} (SHA-256 {current.Sha256[..12]}… where it had {Sha256[..12]}…)";
    }

    private static long Append(IncrementalHash hash, string file)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            long total = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
