using FewShot.Bundles;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime.Bundles;

/// <summary>A prepared run of an adapt graph, and what it reads.</summary>
/// <param name="Run">Feeds the state tensors (step graphs only), the support, the labels, the step index and <paramref name="Constants"/>, in that order; fetches the adapted tensors.</param>
/// <param name="Support">The support input: "support_x" or "support_features".</param>
/// <param name="ReadsLabels">Whether the graph takes "support_y".</param>
/// <param name="Entry">The graph's zip entry, for messages.</param>
/// <param name="Constants">θ₀ of the parameters the graph takes that a run does not feed from a state; owned by <see cref="BundleGraphs"/>.</param>
/// <param name="ReadsStep">Whether the graph takes "step", the 0-based index of the step a run takes.</param>
internal sealed record AdaptGraph(PreparedRun Run, GraphValue Support, bool ReadsLabels, string Entry, OrtValue[] Constants, bool ReadsStep)
{
    /// <summary>Whether the support input is the predict graph's "features" of the support batch.</summary>
    public bool ReadsFeatures => Support.Name == BundleNames.SupportFeatures;
}
