namespace FewShot.Bundles;

/// <summary>
/// A graph's interface as its reader sees it: the writer from the ONNX protobuf, the runtime from ONNX Runtime's
/// session metadata. <see cref="GraphExpectations"/> checks it; only the translation into this record is reader-specific.
/// </summary>
/// <param name="Inputs">Every graph input, initializer-backed ones included.</param>
/// <param name="Outputs">Every graph output.</param>
/// <param name="Initialized">The names of inputs that have an initializer (a default value).</param>
public sealed record GraphSignature(IReadOnlyList<TensorSignature> Inputs, IReadOnlyList<TensorSignature> Outputs, IReadOnlySet<string> Initialized);

/// <summary>What a checked graph reads and produces, in the order a runner feeds and fetches them.</summary>
/// <param name="Entry">The graph's entry name.</param>
/// <param name="Parameters">The parameters it takes as inputs, in manifest order; a run feeds θ₀ or an adapted value for each.</param>
/// <param name="Support">Adapt graphs: "support_x" or "support_features"; null for predict.</param>
/// <param name="ReadsLabels">Adapt graphs: whether it takes "support_y".</param>
/// <param name="Outputs">The outputs a run fetches: "adapted.*" in adaptedParameters order, or "prototypes"; predict's "output" (+ "score").</param>
/// <param name="ReadsStep">The one-step adapt graph: whether it takes "step", the index of the step it takes.</param>
public sealed record GraphUse(string Entry, IReadOnlyList<string> Parameters, string? Support, bool ReadsLabels, IReadOnlyList<string> Outputs, bool ReadsStep = false)
{
    /// <summary>Whether an adapt graph reads predict's "features" of the support batch instead of the batch itself.</summary>
    public bool ReadsFeatures => Support == BundleNames.SupportFeatures;
}
