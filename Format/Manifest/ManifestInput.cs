using System.Text.Json.Serialization;

namespace FewShot.Bundles;

/// <summary>One input example: shape, element type, normalization and preprocessing. Immutable.</summary>
public sealed record ManifestInput
{
    /// <summary>One example's shape without the batch dimension, e.g. [1, 28, 28]; inputs are this many floats per example, row-major.</summary>
    public required IReadOnlyList<long> Shape { get; init; }

    /// <summary>The element type: "float32" (the only one in format version 2).</summary>
    [JsonRequired]
    public string Dtype { get; init; } = "float32";

    /// <summary>How raw data becomes this input, for people; <see cref="Preprocessing"/> says it for machines.</summary>
    public required ManifestNormalization Normalization { get; init; }

    /// <summary>
    /// How an image becomes this input, machine-readable (FewShot.Runtime's Preprocessor applies it), or null when the
    /// bundle does not say (inputs that are not images, or bundles upgraded without the facts): callers then prepare
    /// inputs themselves from <see cref="Normalization"/>. The field is always written.
    /// </summary>
    [JsonRequired]
    public ManifestPreprocessing? Preprocessing { get; init; }
}
