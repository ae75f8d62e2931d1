namespace FewShot.Runtime.Bundles;

/// <summary>One input example: shape, element type and normalization. Immutable.</summary>
public sealed class ManifestInput
{
    /// <summary>One example's shape without the batch dimension, e.g. [1, 28, 28]; inputs are this many floats per example, row-major.</summary>
    public required IReadOnlyList<long> Shape { get; init; }

    /// <summary>The element type: "float32" (the only one in format version 1).</summary>
    public required string Dtype { get; init; }

    /// <summary>How raw data becomes this input.</summary>
    public required ManifestNormalization Normalization { get; init; }
}
