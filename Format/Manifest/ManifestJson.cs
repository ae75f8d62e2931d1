using System.Text.Json;

namespace FewShot.Bundles;

/// <summary>manifest.json's bytes: strict reading (version first, then schema by <see cref="ManifestReader"/>, then <see cref="ManifestRules"/>) and source-generated writing.</summary>
public static class ManifestJson
{
    private const string Entry = BundleNames.ManifestEntry;

    /// <summary>UTF-8 JSON without a byte-order mark, camelCase, indented; nulls are written, not left out.</summary>
    public static byte[] Write(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJsonContext.Default.ModelManifest);
    }

    /// <summary>The format version a manifest declares, read apart from the schema.</summary>
    /// <exception cref="BundleFormatException">The bytes are not JSON, or have no integer "formatVersion".</exception>
    public static int ReadVersion(ReadOnlySpan<byte> json)
    {
        using JsonDocument document = Parse(json);
        return Version(document.RootElement);
    }

    /// <summary>The checked manifest of a current-format bundle.</summary>
    /// <exception cref="BundleFormatException">The JSON is malformed, of another format version, or breaks a rule; the message names the field.</exception>
    public static ModelManifest Read(ReadOnlySpan<byte> json)
    {
        using JsonDocument document = Parse(json);

        // The version is read apart from the schema, so that an older or newer bundle says so rather than "unknown field".
        int version = Version(document.RootElement);
        if (version != BundleNames.FormatVersion)
        {
            throw new BundleFormatException(Entry, version < BundleNames.FormatVersion
                ? $"bundle format version {version} is not supported: this runtime reads format version {BundleNames.FormatVersion}; upgrade the bundle with `{BundleNames.UpgradeCommand}`"
                : $"bundle format version {version} is not supported: this runtime reads format version {BundleNames.FormatVersion}; update FewShot.Runtime to load it");
        }

        ModelManifest manifest = ManifestReader.Read(document.RootElement);
        if (ManifestRules.FindProblem(manifest) is { } problem)
        {
            throw new BundleFormatException(Entry, $"manifest.json: {problem}");
        }

        return manifest;
    }

    // Strict JSON, as the writer's options declare: no comments, no trailing commas (JsonDocument's defaults).
    private static JsonDocument Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            JsonDocument document = JsonDocument.ParseValue(ref reader);
            try
            {
                // ParseValue stops after the first value; reading on throws at anything but whitespace after it.
                _ = reader.Read();
                return document;
            }
            catch
            {
                document.Dispose();
                throw;
            }
        }
        catch (JsonException e)
        {
            throw new BundleFormatException(Entry, $"manifest.json is not valid JSON: {e.Message}", e);
        }
    }

    private static int Version(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("formatVersion", out JsonElement value)
            && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int version)
            ? version
            : throw new BundleFormatException(Entry, "manifest.json has no integer \"formatVersion\"; it is not a FewShot bundle manifest");
}
