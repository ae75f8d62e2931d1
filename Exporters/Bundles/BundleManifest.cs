namespace FewShot.Exporters.Bundles;

/// <summary>
/// What a bundle's manifest.json says about its model, as the caller of <see cref="BundleWriter"/> gives it. The writer
/// adds what it derives itself: the format version, the parameter names and shapes (from θ₀) and every file's SHA-256.
/// </summary>
public sealed record BundleManifest
{
    /// <summary>The batch-norm statement for models that normalize with the statistics of the batch they see (conv4).</summary>
    public const string BatchStatisticsText = "batch statistics: support during adaptation, query during prediction";

    /// <summary>The algorithm that meta-trained θ₀, e.g. "maml", "anil", "protonet", "meta-autoencoder".</summary>
    public required string Algorithm { get; init; }

    /// <summary>The network, e.g. "conv4" or "mlp-1-40-40-1".</summary>
    public required string Model { get; init; }

    /// <summary>One input example.</summary>
    public required BundleInput Input { get; init; }

    /// <summary>What predict computes.</summary>
    public required BundleOutput Output { get; init; }

    /// <summary>Allowed class counts; required for logits and embedding bundles, null for the others.</summary>
    public BundleClasses? Classes { get; init; }

    /// <summary>Inner-loop settings; required for every kind but embedding, null for embedding (prototype) bundles.</summary>
    public BundleInnerLoop? InnerLoop { get; init; }

    /// <summary>How batch normalization behaves, e.g. <see cref="BatchStatisticsText"/>; null when the model has none.</summary>
    public string? BatchNorm { get; init; }

    /// <summary>Where θ₀ came from and how well it did.</summary>
    public required BundleProvenance Provenance { get; init; }

    /// <summary>The producer, e.g. "FewShot 0.1.0"; defaults to this assembly's version.</summary>
    public string CreatedBy { get; init; } = $"FewShot {typeof(BundleManifest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";
}
