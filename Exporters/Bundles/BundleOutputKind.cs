namespace FewShot.Exporters.Bundles;

/// <summary>What predict's "output" holds, which decides how the runtime adapts and reads predictions.</summary>
public enum BundleOutputKind
{
    /// <summary>Class scores from a head of <see cref="BundleOutput.Size"/> outputs (MAML, FOMAML, Meta-SGD, ANIL, Reptile).</summary>
    Logits,

    /// <summary>
    /// An embedding of <see cref="BundleOutput.Size"/> values compared with per-class prototypes (ProtoNets): predict takes
    /// "prototypes" [N, size] and its "output" is [n, N] logits (negative squared distances).
    /// </summary>
    Embedding,

    /// <summary>A reconstruction of the input (the meta-autoencoder), plus the per-example "score".</summary>
    Reconstruction,

    /// <summary>Real-valued targets of <see cref="BundleOutput.Size"/> values (sinusoid regression).</summary>
    Regression,
}
