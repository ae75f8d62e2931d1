using System.IO.Compression;
using System.Security.Cryptography;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.IO;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// Writes a bundle: one zip holding manifest.json, predict.onnx, adapt.onnx and (gradient algorithms) adapt_k.onnx, with
/// θ₀ stored as initializers and every graph's SHA-256 in the manifest. Bundles/README.md states the format.
/// </summary>
/// <remarks>
/// Everything is checked before a byte is written (the manifest's rules and the graph contract), so a bundle that
/// FewShot.Runtime would reject is never produced. Output is deterministic: the same contents give the same bytes,
/// hence the same model hash. Thread-safe: no shared state.
/// </remarks>
public static class BundleWriter
{
    /// <summary>The customary file extension of bundles.</summary>
    public const string FileExtension = ".fewshot";

    // Fixed entry timestamps keep the zip, and so the model hash, reproducible.
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the bundle to <paramref name="path"/> atomically (a temporary file beside it, then a rename).</summary>
    /// <returns>The model hash: the SHA-256 of manifest.json, lowercase hex, as FewShot.Runtime reports it.</returns>
    /// <exception cref="ArgumentException">The manifest or a graph breaks the bundle contract; the message says which and why.</exception>
    /// <exception cref="IOException">The file cannot be written; the target is then untouched.</exception>
    public static string Write(string path, BundleContents contents)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (byte[] bundle, string hash) = Build(contents);
        AtomicFile.WriteAllBytes(path, bundle);
        return hash;
    }

    /// <summary>Writes the bundle to <paramref name="destination"/>, which stays open.</summary>
    /// <returns>The model hash: the SHA-256 of manifest.json, lowercase hex.</returns>
    /// <exception cref="ArgumentException">The manifest or a graph breaks the bundle contract.</exception>
    public static string Write(Stream destination, BundleContents contents)
    {
        ArgumentNullException.ThrowIfNull(destination);
        (byte[] bundle, string hash) = Build(contents);
        destination.Write(bundle);
        return hash;
    }

    /// <summary>The bundle's bytes.</summary>
    /// <exception cref="ArgumentException">The manifest or a graph breaks the bundle contract.</exception>
    public static byte[] ToBytes(BundleContents contents) => Build(contents).Bundle;

    private static (byte[] Bundle, string Hash) Build(BundleContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var theta = ManifestRules.Check(contents.Manifest, contents.Parameters);
        GraphContract.Prepared graphs = GraphContract.Prepare(contents, theta);

        var entries = new List<(string Name, byte[] Bytes)>
        {
            (BundleNames.PredictEntry, OnnxModelFile.ToBytes(graphs.Predict)),
            (BundleNames.AdaptEntry, OnnxModelFile.ToBytes(graphs.Adapt)),
        };
        if (graphs.AdaptK is not null)
        {
            entries.Add((BundleNames.AdaptKEntry, OnnxModelFile.ToBytes(graphs.AdaptK)));
        }

        var files = entries.ToDictionary(e => e.Name, e => Hex(e.Bytes), StringComparer.Ordinal);
        byte[] manifest = ManifestDocument.Create(
            contents.Manifest,
            contents.Parameters.Select(p => new ManifestDocument.Parameter(p.Name, [.. p.Dims])),
            files).ToUtf8Json();
        entries.Insert(0, (BundleNames.ManifestEntry, manifest));

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] bytes) in entries)
            {
                ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = EntryTime;
                using Stream stream = entry.Open();
                stream.Write(bytes);
            }
        }

        return (buffer.ToArray(), Hex(manifest));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
