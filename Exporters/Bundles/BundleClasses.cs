namespace FewShot.Exporters.Bundles;

/// <summary>How many classes an adaptation may have; classification bundles (logits, embedding) only.</summary>
public sealed record BundleClasses
{
    /// <summary>The fewest classes a support set may have (at least 1).</summary>
    public required int Min { get; init; }

    /// <summary>The most: the head's size for logits bundles; null for any number (prototype bundles).</summary>
    public int? Max { get; init; }
}
