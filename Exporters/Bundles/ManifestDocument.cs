using System.Text.Json;
using System.Text.Json.Serialization;

namespace FewShot.Exporters.Bundles;

/// <summary>manifest.json as written: the caller's <see cref="BundleManifest"/> plus what the writer derives, in file order.</summary>
internal sealed record ManifestDocument(
    int FormatVersion,
    string Algorithm,
    string Model,
    BundleInput Input,
    BundleOutput Output,
    BundleClasses? Classes,
    BundleInnerLoop? InnerLoop,
    IReadOnlyList<ManifestDocument.Parameter> Parameters,
    string? BatchNorm,
    IReadOnlyDictionary<string, string> Files,
    BundleProvenance Provenance,
    string CreatedBy)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter<BundleOutputKind>(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Combines the caller's manifest with the derived fields.</summary>
    public static ManifestDocument Create(BundleManifest manifest, IEnumerable<Parameter> parameters, IReadOnlyDictionary<string, string> files) =>
        new(BundleNames.FormatVersion, manifest.Algorithm, manifest.Model, manifest.Input, manifest.Output, manifest.Classes,
            manifest.InnerLoop, [.. parameters], manifest.BatchNorm, files, manifest.Provenance, manifest.CreatedBy);

    /// <summary>UTF-8 JSON without a byte-order mark, camelCase, indented; nulls are written, not left out.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    /// <summary>One parameter's name and shape.</summary>
    internal sealed record Parameter(string Name, IReadOnlyList<long> Shape);
}
