using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Bundles;

/// <summary>Everything <see cref="BundleWriter"/> puts in a bundle. The writer copies what it needs and never edits these objects.</summary>
public sealed class BundleContents
{
    /// <summary>What the manifest says about the model.</summary>
    public required BundleManifest Manifest { get; init; }

    /// <summary>
    /// The meta-learned θ₀: one float tensor per parameter, in the order the manifest lists them. The writer stores
    /// each as the initializer of the graph input of the same name, in every graph that has one.
    /// </summary>
    public required IReadOnlyList<TensorProto> Parameters { get; init; }

    /// <summary>predict.onnx: parameters (+ "prototypes"), "x" → "output" (+ "score", "features").</summary>
    public required ModelProto Predict { get; init; }

    /// <summary>adapt.onnx: parameters, "support_x" or "support_features" (+ "support_y") → "adapted.&lt;name&gt;" (or "prototypes"): one step.</summary>
    public required ModelProto Adapt { get; init; }

    /// <summary>adapt_k.onnx: as <see cref="Adapt"/>, unrolled for <see cref="BundleInnerLoop.Steps"/> steps; null for prototype bundles.</summary>
    public ModelProto? AdaptK { get; init; }
}
