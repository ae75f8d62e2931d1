using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// Builders of the losses FewShot trains with, composed of differentiable primitives so that
/// <see cref="Gradients.Append"/> differentiates them to any order. Each appends nodes and returns the loss value.
/// </summary>
public static class Losses
{
    /// <summary>Softmax cross-entropy averaged over the batch (PyTorch's cross_entropy with mean reduction): a scalar.</summary>
    /// <param name="graph">The graph to append to.</param>
    /// <param name="logits">Class scores, [N, K], floating-point.</param>
    /// <param name="labels">Class indices, [N], int64, each in [0, K).</param>
    public static string SoftmaxCrossEntropy(GraphBuilder graph, string logits, string labels)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var logProbabilities = graph.Op("LogSoftmax", [logits], Attr.Int("axis", 1));
        var picked = graph.Op("GatherElements", [logProbabilities, graph.Op("Unsqueeze", [labels, graph.Int64s(1)])], Attr.Int("axis", 1));
        return graph.Op("Neg", [graph.Op("ReduceMean", [picked], Attr.Int("keepdims", 0))]);
    }

    /// <summary>Mean squared error over all elements: a scalar.</summary>
    /// <param name="graph">The graph to append to.</param>
    /// <param name="prediction">Predictions, any shape.</param>
    /// <param name="target">Targets, broadcastable to the predictions.</param>
    public static string MeanSquaredError(GraphBuilder graph, string prediction, string target)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var difference = graph.Op("Sub", [prediction, target]);
        return graph.Op("ReduceMean", [graph.Op("Mul", [difference, difference])], Attr.Int("keepdims", 0));
    }

    /// <summary>
    /// Squared Euclidean distances between the rows of <paramref name="a"/> [N, D] and of <paramref name="b"/> [M, D]:
    /// [N, M], as ProtoNets compare queries with prototypes. Computed as Σ(a − b)², which is exact and never negative
    /// (the expanded ‖a‖² + ‖b‖² − 2ab form can cancel).
    /// </summary>
    public static string SquaredEuclideanDistances(GraphBuilder graph, string a, string b)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var difference = graph.Op("Sub", [graph.Op("Unsqueeze", [a, graph.Int64s(1)]), graph.Op("Unsqueeze", [b, graph.Int64s(0)])]);
        return graph.Op("ReduceSum", [graph.Op("Mul", [difference, difference]), graph.Int64s(2)], Attr.Int("keepdims", 0));
    }
}
