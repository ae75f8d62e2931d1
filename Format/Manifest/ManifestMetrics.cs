namespace FewShot.Bundles;

/// <summary>
/// Few-shot accuracy measured on held-out classes when the bundle was made: a classification figure. FewShot writes none
/// (<see cref="ManifestProvenance.Metrics"/> null) for regression and reconstruction bundles, whose measured figure is a
/// mean squared error and, for regression, has no classes (Format/README.md). Immutable.
/// </summary>
public sealed record ManifestMetrics
{
    /// <summary>Mean accuracy over the episodes, in [0, 1].</summary>
    public required double Accuracy { get; init; }

    /// <summary>Half-width of the 95% confidence interval, in accuracy units.</summary>
    public required double Ci95 { get; init; }

    /// <summary>Classes per episode of the measurement (at least 1).</summary>
    public required int Ways { get; init; }

    /// <summary>Support examples per class in the episodes of the measurement (at least 1).</summary>
    public required int Shots { get; init; }

    /// <summary>Episodes averaged.</summary>
    public required int Episodes { get; init; }
}
