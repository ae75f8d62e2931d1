using System.IO.Compression;
using System.Security.Cryptography;
using FewShot.Bundles;
using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// Writes a bundle (format 2): one zip holding manifest.json, parameters.bin (θ₀, once), predict.onnx, adapt.onnx and
/// (gradient algorithms) adapt_k.onnx, with every other entry's SHA-256 in the manifest. Format/README.md states the format.
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
        ArgumentNullException.ThrowIfNull(contents.Manifest, nameof(contents.Manifest));
        NamedTensor[] theta = ParameterTensors.Convert(contents.Parameters);
        ModelManifest manifest = contents.Manifest with
        {
            FormatVersion = BundleNames.FormatVersion,
            Parameters = [.. theta.Select(t => new ManifestParameter { Name = t.Name, Shape = t.Shape })],
        };

        // The rules run before the graphs are touched (with placeholder hashes), and again on the manifest as written.
        var placeholders = new[] { BundleNames.ParametersEntry }.Concat(ManifestRules.GraphEntries(manifest))
            .ToDictionary(e => e, _ => new string('0', 64), StringComparer.Ordinal);
        Check(manifest with { Files = placeholders });
        GraphContract.Prepared graphs = GraphContract.Prepare(contents, manifest);

        var entries = new List<(string Name, byte[] Bytes)>
        {
            (BundleNames.ParametersEntry, TensorSet.EncodeFile(theta)),
            (BundleNames.PredictEntry, OnnxModelFile.ToBytes(graphs.Predict)),
            (BundleNames.AdaptEntry, OnnxModelFile.ToBytes(graphs.Adapt)),
        };
        if (graphs.AdaptK is not null)
        {
            entries.Add((BundleNames.AdaptKEntry, OnnxModelFile.ToBytes(graphs.AdaptK)));
        }

        if (graphs.Statistics is not null)
        {
            entries.Add((BundleNames.StatisticsEntry, OnnxModelFile.ToBytes(graphs.Statistics)));
        }

        manifest = manifest with { Files = entries.ToDictionary(e => e.Name, e => Hex(e.Bytes), StringComparer.Ordinal) };
        Check(manifest);
        byte[] manifestBytes = ManifestJson.Write(manifest);
        entries.Insert(0, (BundleNames.ManifestEntry, manifestBytes));

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

        return (buffer.ToArray(), Hex(manifestBytes));
    }

    private static void Check(ModelManifest manifest)
    {
        if (ManifestRules.FindProblem(manifest) is { } problem)
        {
            throw new ArgumentException($"bundle manifest: {problem}", "contents");
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
