using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// A network written as an ONNX graph fragment whose parameters are graph values, not constants.
/// Emitting the forward pass over different parameter values (θ, then θ′ after an inner step, …) in one graph
/// is what lets the meta-learning algorithms unroll and differentiate their inner loops.
/// </summary>
public interface IFewShotModel
{
    /// <summary>A short name stored in run folders and bundles, e.g. "conv4".</summary>
    string Name { get; }

    /// <summary>The shape of one example, e.g. [1, 28, 28]; a batch adds a leading dimension.</summary>
    IReadOnlyList<long> InputShape { get; }

    /// <summary>The size of one output row (classes, regression targets or embedding size).</summary>
    int OutputSize { get; }

    /// <summary>The learnable tensors, in a fixed order.</summary>
    IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>
    /// Appends the forward pass to <paramref name="graph"/>: reads the batch <paramref name="input"/> and the
    /// parameter values named by <paramref name="parameters"/> (keyed by <see cref="ParameterSpec.Name"/>), and
    /// returns the output value's name ([batch, <see cref="OutputSize"/>]).
    /// </summary>
    string Forward(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters);
}
