using System.Text.Json;
using System.Text.Json.Serialization;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Source-generated JSON metadata for the manifest (the runtime is trimmable and AOT-compatible, so no reflection).
/// Strict: unknown members, duplicate keys, nulls in non-nullable members and missing required members all fail.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
