namespace FewShot.Bundles;

/// <summary>Where the meta-learned θ₀ came from. Immutable.</summary>
public sealed record ManifestProvenance
{
    /// <summary>The meta-training dataset, e.g. "omniglot".</summary>
    public required string Dataset { get; init; }

    /// <summary>The split meta-trained on, e.g. "background".</summary>
    public required string Split { get; init; }

    /// <summary>Meta-training iterations.</summary>
    public required long Iterations { get; init; }

    /// <summary>The run's root seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Measured few-shot accuracy; null when none was measured, and in regression and reconstruction bundles (<see cref="ManifestMetrics"/>).</summary>
    public ManifestMetrics? Metrics { get; init; }
}
