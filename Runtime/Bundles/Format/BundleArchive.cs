using System.IO.Compression;
using FewShot.Bundles;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Reads a bundle's zip defensively: flat, known, unique entry names only; every entry's size capped and checked while
/// it decompresses (a declared size is never trusted for an allocation); the manifest's CRC-32 and every graph's
/// SHA-256 verified; θ₀ decoded once from parameters.bin and matched against the manifest. Any failure of the zip reader on hostile bytes becomes an <see cref="InvalidBundleException"/>.
/// </summary>
internal sealed class BundleArchive
{
    private const long MaxManifestBytes = 1 << 20;
    private const int ChunkBytes = 1 << 16;

    private BundleArchive(byte[] manifestBytes, ModelManifest manifest, Dictionary<string, byte[]> graphs, NamedTensor[] parameters)
    {
        ManifestBytes = manifestBytes;
        Manifest = manifest;
        Graphs = graphs;
        Parameters = parameters;
    }

    /// <summary>manifest.json as stored; its SHA-256 is the model hash.</summary>
    public byte[] ManifestBytes { get; }

    /// <summary>The checked manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The graph entries' bytes by entry name, each matching the manifest's SHA-256.</summary>
    public IReadOnlyDictionary<string, byte[]> Graphs { get; }

    /// <summary>θ₀ from parameters.bin: one float tensor per manifest parameter, in manifest order, names and shapes checked.</summary>
    public IReadOnlyList<NamedTensor> Parameters { get; }

    /// <summary>Reads and checks a bundle.</summary>
    /// <param name="stream">The zip; read from its current position, not disposed.</param>
    /// <param name="maxEntryBytes">The largest uncompressed entry accepted.</param>
    /// <exception cref="InvalidBundleException">Anything about the archive or its entries is wrong.</exception>
    public static BundleArchive Read(Stream stream, long maxEntryBytes)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            Dictionary<string, ZipArchiveEntry> entries = Index(zip, maxEntryBytes);
            byte[] manifestBytes = Extract(entries[BundleNames.ManifestEntry], MaxManifestBytes);
            if (System.IO.Hashing.Crc32.HashToUInt32(manifestBytes) != entries[BundleNames.ManifestEntry].Crc32)
            {
                throw new InvalidBundleException(BundleNames.ManifestEntry, "manifest.json fails its CRC-32 check: the entry is corrupted");
            }

            ModelManifest manifest = ReadManifest(manifestBytes);
            var graphs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach ((string name, string expected) in manifest.Files)
            {
                if (!entries.TryGetValue(name, out ZipArchiveEntry? entry))
                {
                    throw new InvalidBundleException(name, $"the manifest lists '{name}', but the bundle has no such entry");
                }

                byte[] bytes = Extract(entry, maxEntryBytes);
                string actual = Convert.ToHexStringLower(Digests.Sha256(bytes));
                if (actual != expected)
                {
                    throw new InvalidBundleException(name, $"'{name}' has SHA-256 {actual}, but the manifest records {expected}: the file was altered or corrupted");
                }

                graphs[name] = bytes;
            }

            string? unlisted = entries.Keys.FirstOrDefault(e => e != BundleNames.ManifestEntry && !graphs.ContainsKey(e));
            if (unlisted is not null)
            {
                throw new InvalidBundleException(unlisted, $"entry '{unlisted}' has no SHA-256 in the manifest's files; a {manifest.Output.Kind.ToString().ToLowerInvariant()} bundle holds {string.Join(", ", manifest.Files.Keys)}");
            }

            byte[] parameters = graphs[BundleNames.ParametersEntry];
            graphs.Remove(BundleNames.ParametersEntry);
            return new BundleArchive(manifestBytes, manifest, graphs, ReadParameters(parameters, manifest));
        }
        catch (Exception e) when (e is not InvalidBundleException && IsZipFailure(e))
        {
            throw new InvalidBundleException(null, $"the bundle is not a readable zip archive (truncated or corrupted?): {e.Message}", e);
        }
    }

    private static ModelManifest ReadManifest(byte[] bytes)
    {
        try
        {
            return ManifestJson.Read(bytes);
        }
        catch (BundleFormatException e)
        {
            throw new InvalidBundleException(BundleNames.ManifestEntry, e.Message, e);
        }
    }

    private static NamedTensor[] ReadParameters(byte[] bytes, ModelManifest manifest)
    {
        const string entry = BundleNames.ParametersEntry;
        NamedTensor[] tensors;
        try
        {
            tensors = TensorSet.DecodeFile(bytes, entry, entry);
        }
        catch (BundleFormatException e)
        {
            throw new InvalidBundleException(entry, e.Message, e);
        }

        IReadOnlyList<ManifestParameter> expected = manifest.Parameters;
        if (tensors.Length != expected.Count)
        {
            throw new InvalidBundleException(entry, $"{entry} holds {Counted.Of(tensors.Length, "tensor", "tensors")}; the manifest lists {Counted.Of(expected.Count, "parameter", "parameters")}");
        }

        for (int i = 0; i < tensors.Length; i++)
        {
            if (tensors[i].Name != expected[i].Name || !tensors[i].Shape.AsSpan().SequenceEqual([.. expected[i].Shape]))
            {
                throw new InvalidBundleException(entry,
                    $"{entry}'s tensor {i} is '{tensors[i].Name}' [{string.Join(", ", tensors[i].Shape)}]; the manifest lists '{expected[i].Name}' [{string.Join(", ", expected[i].Shape)}] there");
            }
        }

        return tensors;
    }

    private static Dictionary<string, ZipArchiveEntry> Index(ZipArchive zip, long maxEntryBytes)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            string name = entry.FullName;
            if (name.Contains('/') || name.Contains('\\') || name.Contains(':') || name is "." or ".." || name.Contains('\0'))
            {
                throw new InvalidBundleException(name, $"entry '{name}' is a path that leaves the archive's root folder; bundle entries are flat file names");
            }

            if (!BundleNames.Entries.Contains(name))
            {
                throw new InvalidBundleException(name, $"unexpected entry '{name}'; a bundle holds only {string.Join(", ", BundleNames.Entries)}");
            }

            if (!entries.TryAdd(name, entry))
            {
                throw new InvalidBundleException(name, $"entry '{name}' appears twice in the archive");
            }

            long cap = name == BundleNames.ManifestEntry ? MaxManifestBytes : maxEntryBytes;
            if (entry.Length > cap || entry.Length < 0)
            {
                throw new InvalidBundleException(name, $"entry '{name}' declares {Counted.Of(entry.Length, "byte", "bytes")} uncompressed, more than the {cap} allowed");
            }
        }

        // Only the manifest is required here: it says which format the rest follows, so an old bundle is told how to upgrade.
        if (!entries.ContainsKey(BundleNames.ManifestEntry))
        {
            throw new InvalidBundleException(BundleNames.ManifestEntry, $"the bundle has no '{BundleNames.ManifestEntry}' entry");
        }

        return entries;
    }

    private static byte[] Extract(ZipArchiveEntry entry, long cap)
    {
        // Grows with the bytes that actually decompress, so a forged size cannot reserve memory.
        long declared = entry.Length;
        using var buffer = new MemoryStream((int)Math.Min(declared, 1 << 24));
        using Stream source = entry.Open();
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = source.Read(chunk)) > 0)
        {
            if (buffer.Length + read > Math.Min(declared, cap))
            {
                throw new InvalidBundleException(entry.FullName, $"entry '{entry.FullName}' decompresses to more than the {Counted.Of(declared, "byte", "bytes")} it declares");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length != declared)
        {
            throw new InvalidBundleException(entry.FullName, $"entry '{entry.FullName}' holds {Counted.Of(buffer.Length, "byte", "bytes")}, but declares {declared}: it is truncated");
        }

        return BoundedRead.WholeBuffer(buffer);
    }

    // The zip reader's documented failures on bad data, plus the ones its parsers raise on hostile headers.
    private static bool IsZipFailure(Exception e) =>
        e is InvalidDataException or IOException or NotSupportedException or ArgumentException or OverflowException
            or IndexOutOfRangeException or FormatException;
}
