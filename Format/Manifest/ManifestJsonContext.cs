using System.Text.Json;
using System.Text.Json.Serialization;

namespace FewShot.Bundles;

/// <summary>
/// Source-generated JSON metadata for the manifest (the runtime is trimmable and AOT-compatible, so no reflection).
/// Strict: unknown members, duplicate keys, nulls in non-nullable members and missing required members all fail.
/// Writing is indented camelCase with every field present, nulls included.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
