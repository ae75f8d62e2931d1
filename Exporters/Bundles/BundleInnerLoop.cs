namespace FewShot.Exporters.Bundles;

/// <summary>The inner loop of a gradient-step bundle (every kind but embedding).</summary>
public sealed record BundleInnerLoop
{
    /// <summary>K: the number of steps that adapt_k.onnx unrolls, and the default number of steps.</summary>
    public required int Steps { get; init; }

    /// <summary>The step size baked into the adapt graphs; informative (Meta-SGD stores per-parameter rates in the graphs).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Whether meta-training ignored second-order terms (FOMAML, Reptile); informative.</summary>
    public required bool FirstOrder { get; init; }

    /// <summary>The parameters that adaptation changes (all of θ for MAML, the head for ANIL); each has an "adapted.&lt;name&gt;" output.</summary>
    public required IReadOnlyList<string> AdaptedParameters { get; init; }
}
