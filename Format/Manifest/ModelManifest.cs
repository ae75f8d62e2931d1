using System.Text.Json.Serialization;

namespace FewShot.Bundles;

/// <summary>
/// A bundle's manifest.json: what the writer (FewShot.Exporters' BundleWriter) is given and writes, and what the reader
/// (FewShot.Runtime's FewShotModel.Load) parses and checks. Immutable and thread-safe. Format/README.md describes every
/// field; <see cref="ManifestRules"/> holds its rules and <see cref="ManifestJson"/> its strict JSON form.
/// </summary>
/// <remarks>
/// <see cref="FormatVersion"/>, <see cref="Parameters"/> and <see cref="Files"/> are derived by the writer (from θ₀ and
/// the graphs), so a caller building a manifest to write may leave them out; in a file they are required.
/// </remarks>
public sealed record ModelManifest
{
    /// <summary>The manifest format this library writes and reads: <see cref="BundleNames.FormatVersion"/>.</summary>
    public const int SupportedFormatVersion = BundleNames.FormatVersion;

    /// <summary>The batch-norm statement for models that normalize with the statistics of the batch they see (conv4).</summary>
    public const string BatchStatisticsText = "batch statistics: support during adaptation, query during prediction";

    /// <summary>The format version: <see cref="SupportedFormatVersion"/>.</summary>
    [JsonRequired]
    public int FormatVersion { get; init; } = SupportedFormatVersion;

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

    /// <summary>θ's tensors, names and shapes, in the order parameters.bin stores them; derived by the writer.</summary>
    [JsonRequired]
    public IReadOnlyList<ManifestParameter> Parameters { get; init; } = [];

    /// <summary>
    /// How batch normalization behaves, for people, or null when the model has none: set exactly when
    /// <see cref="FeatureNormalization"/> is <see cref="FeatureNormalizationNames.Batch"/> (or, in a bundle written before
    /// that field, whenever the model has batch norm).
    /// </summary>
    public string? BatchNorm { get; init; }

    /// <summary>
    /// Where the network's normalization layers take their statistics, one of <see cref="FeatureNormalizationNames.All"/>:
    /// "none", "group", "instance" or "layer" (per example: inductive), "support" (the support set's statistics, kept in
    /// the adapted state: inductive), or "batch" (transductive). Null in bundles
    /// written before the field existed, whose normalization <see cref="BatchNorm"/> describes.
    /// </summary>
    public string? FeatureNormalization { get; init; }

    /// <summary>
    /// True when a prediction depends on the other examples of its batch (transductive batch statistics): a query
    /// predicted alone may get another answer than inside a batch. Bundles without <see cref="FeatureNormalization"/>
    /// are transductive exactly when they have <see cref="BatchNorm"/>.
    /// </summary>
    [JsonIgnore]
    public bool PredictionsDependOnBatch => FeatureNormalization is null ? BatchNorm is not null : FeatureNormalization == FeatureNormalizationNames.Batch;

    /// <summary>The SHA-256 (lowercase hex) of every entry but the manifest, by entry name; derived by the writer.</summary>
    [JsonRequired]
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Where θ₀ came from.</summary>
    public required ManifestProvenance Provenance { get; init; }

    /// <summary>The producer, e.g. "FewShot 0.1.0"; defaults to this library's version.</summary>
    [JsonRequired]
    public string CreatedBy { get; init; } = $"FewShot {typeof(ModelManifest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"}";
}
