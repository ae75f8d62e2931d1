using FewShot.Bundles;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Bundles;

/// <summary>Everything <see cref="BundleWriter"/> puts in a bundle. The writer copies what it needs and never edits these objects.</summary>
public sealed class BundleContents
{
    /// <summary>
    /// What the manifest says about the model. The writer sets what it derives itself: the format version, the
    /// parameters' names and shapes (from <see cref="Parameters"/>) and every entry's SHA-256 (<see cref="ModelManifest.Files"/>).
    /// </summary>
    public required ModelManifest Manifest { get; init; }

    /// <summary>
    /// The meta-learned θ₀: one float tensor per parameter, in the order the manifest will list them. The writer stores
    /// them once, in parameters.bin; the graphs take them as plain inputs (initializers they carry for them are dropped).
    /// </summary>
    public required IReadOnlyList<TensorProto> Parameters { get; init; }

    /// <summary>predict.onnx: parameters (+ "prototypes"), "x" → "output" (+ "score", "features").</summary>
    public required ModelProto Predict { get; init; }

    /// <summary>adapt.onnx: parameters, "support_x" or "support_features" (+ "support_y") → "adapted.&lt;name&gt;" (or "prototypes"): one step.</summary>
    public required ModelProto Adapt { get; init; }

    /// <summary>adapt_k.onnx: as <see cref="Adapt"/>, unrolled for <see cref="ManifestInnerLoop.Steps"/> steps; null for prototype bundles.</summary>
    public ModelProto? AdaptK { get; init; }

    /// <summary>
    /// statistics.onnx: parameters, "support_x" → "adapted.&lt;name&gt;" for each of <see cref="ManifestInnerLoop.Statistics"/>,
    /// run once after the last step; required exactly when the manifest's inner loop lists statistics, else null.
    /// </summary>
    public ModelProto? Statistics { get; init; }
}
