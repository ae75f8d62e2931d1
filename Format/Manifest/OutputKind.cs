using System.Text.Json.Serialization;

namespace FewShot.Bundles;

/// <summary>What a bundle's predict graph outputs, which decides how it adapts and how its predictions read.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutputKind>))]
public enum OutputKind
{
    /// <summary>
    /// Class scores from a head of <see cref="ManifestOutput.Size"/> outputs (MAML, FOMAML, Meta-SGD, ANIL, Reptile):
    /// adapt with labels, predict a label and probabilities.
    /// </summary>
    [JsonStringEnumMemberName("logits")]
    Logits,

    /// <summary>
    /// An embedding of <see cref="ManifestOutput.Size"/> values compared with per-class prototypes (ProtoNets): adapt with
    /// labels (no steps), predict a label and probabilities.
    /// </summary>
    [JsonStringEnumMemberName("embedding")]
    Embedding,

    /// <summary>A reconstruction of the input (the meta-autoencoder): adapt without labels, predict an anomaly score.</summary>
    [JsonStringEnumMemberName("reconstruction")]
    Reconstruction,

    /// <summary>Real-valued targets of <see cref="ManifestOutput.Size"/> values: adapt with targets, predict values.</summary>
    [JsonStringEnumMemberName("regression")]
    Regression,
}
