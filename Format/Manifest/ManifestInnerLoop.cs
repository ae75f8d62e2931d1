namespace FewShot.Bundles;

/// <summary>The inner loop of a gradient-step bundle. Immutable.</summary>
public sealed record ManifestInnerLoop
{
    /// <summary>K: the steps adapt_k.onnx unrolls, and the default of AdaptOptions.Steps (FewShot.Runtime).</summary>
    public required int Steps { get; init; }

    /// <summary>The step size baked into the adapt graphs; informative.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Whether meta-training was first-order; informative.</summary>
    public required bool FirstOrder { get; init; }

    /// <summary>The parameters that adaptation changes; an adapted model holds one tensor for each.</summary>
    public required IReadOnlyList<string> AdaptedParameters { get; init; }
}
