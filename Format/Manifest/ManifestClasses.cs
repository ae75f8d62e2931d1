namespace FewShot.Bundles;

/// <summary>How many classes an adaptation may have (classification bundles). Immutable.</summary>
public sealed record ManifestClasses
{
    /// <summary>The fewest classes a support set may have.</summary>
    public required int Min { get; init; }

    /// <summary>The most (the head's size for logits bundles), or null for any number (prototype bundles).</summary>
    public int? Max { get; init; }
}
