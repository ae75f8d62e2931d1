namespace FewShot.Exporters.Bundles;

/// <summary>The shape, element type and normalization of one input example.</summary>
public sealed record BundleInput
{
    /// <summary>One example's shape without the batch dimension, e.g. [1, 28, 28].</summary>
    public required IReadOnlyList<long> Shape { get; init; }

    /// <summary>The element type; "float32" is the only one in format version 1.</summary>
    public string Dtype { get; init; } = "float32";

    /// <summary>How raw data is turned into this input.</summary>
    public required BundleNormalization Normalization { get; init; }
}
