using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff;

/// <summary>Normalization layers composed of differentiable primitives.</summary>
public static class Normalization
{
    /// <summary>
    /// Batch normalization with the statistics of the batch itself (training mode, as MAML and ProtoNets use it at
    /// every step): y = (x − mean) / √(var + ε) · scale + bias per channel, with the biased variance over all axes
    /// but the channel axis (1). Composed of primitives because stock ONNX Runtime does not run
    /// BatchNormalization with training_mode=1; the composition is differentiable to any order.
    /// </summary>
    /// <param name="graph">The graph to append to.</param>
    /// <param name="x">Activations [N, C, …], of rank <paramref name="rank"/>.</param>
    /// <param name="scale">Per-channel scale [C].</param>
    /// <param name="bias">Per-channel shift [C].</param>
    /// <param name="epsilon">Added to the variance (PyTorch's default: 1e-5).</param>
    /// <param name="rank">The rank of <paramref name="x"/> (4 for images).</param>
    /// <returns>The normalized activations, shaped like <paramref name="x"/>.</returns>
    public static string BatchNormTraining(GraphBuilder graph, string x, string scale, string bias, double epsilon = 1e-5, int rank = 4)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 2);
        var axes = Attr.Ints("axes", [0, .. Enumerable.Range(2, rank - 2).Select(i => (long)i)]);
        var perChannel = graph.Int64s(Enumerable.Range(1, rank - 2).Select(i => (long)i).ToArray());
        var mean = graph.Op("ReduceMean", [x], axes, Attr.Int("keepdims", 1));
        var centered = graph.Op("Sub", [x, mean]);
        var variance = graph.Op("ReduceMean", [graph.Op("Mul", [centered, centered])], axes, Attr.Int("keepdims", 1));
        var deviation = graph.Op("Sqrt", [graph.Op("Add", [variance, graph.Scalar(epsilon, graph.ElementTypeOf(x))])]);

        // Scale and divide the small per-channel tensors, so only one multiply and one add touch every activation.
        var factor = graph.Op("Div", [graph.Op("Unsqueeze", [scale, perChannel]), deviation]);
        var output = graph.UniqueName("batch_norm");
        graph.Node("Add", [graph.Op("Mul", [centered, factor]), graph.Op("Unsqueeze", [bias, perChannel])], [output]).DocString = BatchNormTrainingMarker;
        return output;
    }

    /// <summary>
    /// The doc string of <see cref="BatchNormTraining"/>'s output node, by which the autodiff finds the composition and
    /// differentiates it as a whole (<see cref="CompositeRule"/>): a few passes over the activations instead of one per
    /// primitive.
    /// </summary>
    public const string BatchNormTrainingMarker = "fewshot:batch_norm_training";

    /// <summary>
    /// Group normalization (Wu and He, 2018): each example's channels are split into <paramref name="groups"/> groups,
    /// and each group is normalized with its own mean and biased variance over its channels and positions, then
    /// scaled and shifted per channel. Every statistic comes from one example, so an example's output does not depend
    /// on the rest of its batch (inductive). One group is layer normalization over [C, …]; one group per channel is
    /// instance normalization. Composed of primitives, so the composition is differentiable to any order.
    /// </summary>
    /// <param name="graph">The graph to append to.</param>
    /// <param name="x">Activations [N, C, …], of rank <paramref name="rank"/>.</param>
    /// <param name="scale">Per-channel scale [C].</param>
    /// <param name="bias">Per-channel shift [C].</param>
    /// <param name="groups">Groups; must divide C (1: layer norm, C: instance norm).</param>
    /// <param name="epsilon">Added to the variance (PyTorch's default: 1e-5).</param>
    /// <param name="rank">The rank of <paramref name="x"/> (4 for images).</param>
    /// <returns>The normalized activations, shaped like <paramref name="x"/>.</returns>
    public static string GroupNorm(GraphBuilder graph, string x, string scale, string bias, long groups, double epsilon = 1e-5, int rank = 4)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        var perChannel = graph.Int64s(Enumerable.Range(1, rank - 2).Select(i => (long)i).ToArray());
        var axis = Attr.Ints("axes", 2);

        // [N, C, …] → [N, G, C/G·…]: reshape's 0 copies the batch size, so any batch runs through the same graph.
        var grouped = graph.Op("Reshape", [x, graph.Int64s(0, groups, -1)]);
        var mean = graph.Op("ReduceMean", [grouped], axis, Attr.Int("keepdims", 1));
        var centered = graph.Op("Sub", [grouped, mean]);
        var variance = graph.Op("ReduceMean", [graph.Op("Mul", [centered, centered])], axis, Attr.Int("keepdims", 1));
        var deviation = graph.Op("Sqrt", [graph.Op("Add", [variance, graph.Scalar(epsilon, graph.ElementTypeOf(x))])]);
        var normalized = graph.Op("Reshape", [graph.Op("Div", [centered, deviation]), graph.Op("Shape", [x])]);
        var output = graph.UniqueName("group_norm");
        graph.Node("Add", [graph.Op("Mul", [normalized, graph.Op("Unsqueeze", [scale, perChannel])]), graph.Op("Unsqueeze", [bias, perChannel])], [output]).DocString = GroupNormMarker;
        return output;
    }

    /// <summary>The doc string of <see cref="GroupNorm"/>'s output node: the autodiff differentiates the composition as a whole.</summary>
    public const string GroupNormMarker = "fewshot:group_norm";
}
