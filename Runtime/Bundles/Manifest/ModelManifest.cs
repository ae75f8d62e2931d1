namespace FewShot.Runtime.Bundles;

/// <summary>
/// A bundle's manifest.json, as read and checked by <see cref="FewShotModel.Load(string, RuntimeOptions?, Microsoft.Extensions.Logging.ILogger?)"/>. Immutable
/// and thread-safe. Exporters/Bundles/README.md describes every field.
/// </summary>
public sealed class ModelManifest
{
    /// <summary>The manifest format this runtime reads: 1.</summary>
    public const int SupportedFormatVersion = 1;

    /// <summary>The format version: <see cref="SupportedFormatVersion"/>.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>The algorithm that meta-trained θ₀, e.g. "maml", "anil", "protonet".</summary>
    public required string Algorithm { get; init; }

    /// <summary>The network, e.g. "conv4".</summary>
    public required string Model { get; init; }

    /// <summary>One input example.</summary>
    public required ManifestInput Input { get; init; }

    /// <summary>What predict computes.</summary>
    public required ManifestOutput Output { get; init; }

    /// <summary>Allowed class counts (logits and embedding bundles); null otherwise.</summary>
    public ManifestClasses? Classes { get; init; }

    /// <summary>Inner-loop settings (every kind but embedding); null for prototype bundles.</summary>
    public ManifestInnerLoop? InnerLoop { get; init; }

    /// <summary>θ's tensors, names and shapes.</summary>
    public required IReadOnlyList<ManifestParameter> Parameters { get; init; }

    /// <summary>How batch normalization behaves, or null when the model has none.</summary>
    public string? BatchNorm { get; init; }

    /// <summary>The SHA-256 (lowercase hex) of every graph entry, by entry name.</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    /// <summary>Where θ₀ came from.</summary>
    public required ManifestProvenance Provenance { get; init; }

    /// <summary>The producer, e.g. "FewShot 0.1.0".</summary>
    public required string CreatedBy { get; init; }
}
