namespace FewShot.Bundles;

/// <summary>
/// The values of <see cref="ModelManifest.FeatureNormalization"/>: where the network's normalization layers take their
/// statistics, and so whether a prediction depends on the other examples of its batch. Format/README.md describes them.
/// </summary>
public static class FeatureNormalizationNames
{
    /// <summary>The network has no normalization layers: inductive.</summary>
    public const string None = "none";

    /// <summary>Group normalization, per example: inductive.</summary>
    public const string Group = "group";

    /// <summary>Instance normalization (each channel of each example): inductive.</summary>
    public const string Instance = "instance";

    /// <summary>Layer normalization (all channels of each example): inductive.</summary>
    public const string Layer = "layer";

    /// <summary>Batch normalization with the statistics of the batch seen (support while adapting, query batch while predicting): transductive.</summary>
    public const string Batch = "batch";

    /// <summary>
    /// Batch normalization with the support set's statistics at the adapted weights (MetaBN): adaptation computes them and
    /// keeps them in the adapted state, as adapted parameters, and predict normalizes every query with them: inductive.
    /// </summary>
    public const string Support = "support";

    /// <summary>Every value a manifest may hold.</summary>
    public static IReadOnlyList<string> All { get; } = [None, Group, Instance, Layer, Batch, Support];
}
