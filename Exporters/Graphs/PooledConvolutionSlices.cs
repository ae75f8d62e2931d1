using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Graphs;

/// <summary>
/// Rewrites an inference graph so that a convolution of its input batch that only max-pooling reads runs on
/// <see cref="Slices"/> consecutive slices of the batch, each convolved and pooled on its own, the pooled slices
/// concatenated again. That full-resolution map is a conv4 prediction's largest tensor (75 queries of 28×28 under 64
/// channels: 15 MB, pooled 3.8 MB), and ONNX Runtime's memory arena keeps the pages its largest tensors touched for the
/// life of the process; in slices it holds one slice's map at a time (fewshot-edge classifying 75 queries peaked at
/// 58 MB instead of 76: benchmarks/README.md, "Cold start"). Every value is unchanged: each example's convolution and
/// pooling read that example alone.
/// </summary>
/// <remarks>
/// For graphs that are run, never differentiated (predict.onnx): the slices' bounds are computed from the batch size at
/// run time, in proportion (slice i holds examples ⌊i·n/S⌋ to ⌊(i+1)·n/S⌋), so that a batch of fewer than
/// <see cref="Slices"/> examples leaves some slices empty, which ONNX Runtime's Conv and MaxPool pass through.
/// </remarks>
public static class PooledConvolutionSlices
{
    /// <summary>How many slices the batch is cut into.</summary>
    public const int Slices = 4;

    /// <summary>Rewrites, in place, every Conv of <paramref name="input"/> whose output only one MaxPool (without Indices) reads.</summary>
    /// <param name="model">The model to edit.</param>
    /// <param name="input">The graph input whose first axis is the batch.</param>
    /// <returns>How many convolutions were rewritten.</returns>
    public static int Apply(ModelProto model, string input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(input);
        var graph = model.Graph ?? throw new ArgumentException("the model has no graph", nameof(model));
        var rewritten = 0;
        while (FindPooledConvolution(graph, input) is var (conv, pool))
        {
            Rewrite(graph, input, conv, pool);
            rewritten++;
        }

        return rewritten;
    }

    private static (NodeProto Conv, NodeProto Pool)? FindPooledConvolution(GraphProto graph, string input)
    {
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv" && n.Domain.Length == 0 && n.Input.Count > 0 && n.Input[0] == input))
        {
            var output = conv.Output[0];
            var readers = graph.Node.Where(n => n.Input.Contains(output)).ToList();
            if (readers is [{ OpType: "MaxPool", Domain: "", Output.Count: 1 } pool] && pool.Input.Count == 1 && graph.Output.All(o => o.Name != output))
            {
                return (conv, pool);
            }
        }

        return null;
    }

    private static void Rewrite(GraphProto graph, string input, NodeProto conv, NodeProto pool)
    {
        var position = graph.Node.IndexOf(conv);
        var first = graph.Node.Count;
        var g = GraphBuilder.Edit(graph);

        // The bounds ⌊i·n/S⌋ for i = 0…S, from the batch size n at run time.
        var batch = g.Op("Shape", [input], Attr.Int("end", 1));
        var bounds = g.Op("Div", [g.Op("Mul", [g.Int64s([.. Enumerable.Range(0, Slices + 1).Select(i => (long)i)]), batch]), g.Int64s(Slices)]);
        var batchAxis = g.Int64s(0);
        var pooled = new string[Slices];
        for (var i = 0; i < Slices; i++)
        {
            var start = g.Op("Slice", [bounds, g.Int64s(i), g.Int64s(i + 1)]);
            var end = g.Op("Slice", [bounds, g.Int64s(i + 1), g.Int64s(i + 2)]);
            var slice = g.Op("Slice", [input, start, end, batchAxis]);
            var convolved = g.Op("Conv", [slice, .. conv.Input.Skip(1)], [.. conv.Attribute.Select(a => a.Clone())]);
            pooled[i] = g.Op("MaxPool", [convolved], [.. pool.Attribute.Select(a => a.Clone())]);
        }

        var joined = g.Node("Concat", pooled, [g.UniqueName("slices_joined")], Attr.Int("axis", 0));

        // The new nodes go where the convolution was (its inputs are written by then), the pair itself goes, and the
        // joined slices take the pooled map's name, so that its readers (or the graph's outputs) read them unchanged.
        joined.Output[0] = pool.Output[0];
        var added = graph.Node.Skip(first).ToList();
        for (var i = graph.Node.Count - 1; i >= first; i--)
        {
            graph.Node.RemoveAt(i);
        }

        graph.Node.Remove(pool);
        graph.Node.RemoveAt(position);
        foreach (var info in graph.ValueInfo.Where(v => v.Name == conv.Output[0]).ToList())
        {
            graph.ValueInfo.Remove(info);
        }

        for (var i = 0; i < added.Count; i++)
        {
            graph.Node.Insert(position + i, added[i]);
        }
    }
}
