using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// Sums a gradient over the axes along which an operand was broadcast. Static shapes pick the axes at build time
/// (symbolic batch sizes included); only when a symbolic size might be a broadcast 1 are the axes found at run time.
/// </summary>
internal static class BroadcastReduction
{
    public static string Reduce(GradientContext c, string gradient, string target)
    {
        var from = c.StaticShape(gradient);
        var to = c.StaticShape(target);
        if (from is null || to is null || to.Count > from.Count)
        {
            throw c.Unsupported($"cannot reduce the gradient of '{target}' (shape {Describe(to)}) from shape {Describe(from)}; give the graph's inputs shapes");
        }

        var leading = from.Count - to.Count;
        var axes = new List<long>();
        for (var i = 0; i < from.Count; i++)
        {
            if (i < leading)
            {
                axes.Add(i);
                continue;
            }

            var (f, t) = (from[i], to[i - leading]);
            if (f == t || (t.IsFixed && t.Value != 1) || f.Value == 1)
            {
                // Equal sizes; or a target size other than 1, which cannot have been broadcast; or a result of size 1.
                continue;
            }

            if (t.Value != 1)
            {
                return AtRunTime(c, gradient, target, leading);
            }

            axes.Add(i);
        }

        if (axes.Count == 0)
        {
            return gradient;
        }

        if (axes.Count == leading)
        {
            return c.Op("ReduceSum", [gradient, c.Int64s(axes.ToArray())], Attr.Int("keepdims", 0));
        }

        var summed = c.Op("ReduceSum", [gradient, c.Int64s(axes.ToArray())], Attr.Int("keepdims", 1));
        return leading == 0 ? summed : c.Op("Squeeze", [summed, c.Int64s(Enumerable.Range(0, leading).Select(i => (long)i).ToArray())]);
    }

    /// <summary>Sums over the axes where the target's shape, padded on the left with ones, is 1: found when the graph runs.</summary>
    private static string AtRunTime(GradientContext c, string gradient, string target, int leading)
    {
        var shape = c.ShapeOf(target);
        var padded = leading == 0 ? shape : c.Op("Concat", [c.Int64s(Enumerable.Repeat(1L, leading).ToArray()), shape], Attr.Int("axis", 0));
        var ones = c.Op("Equal", [padded, c.Int64s(1)]);
        var axes = c.Op("Reshape", [c.Op("NonZero", [ones]), c.Int64s(-1)]);
        var summed = c.Op("ReduceSum", [gradient, axes], Attr.Int("keepdims", 1), Attr.Int("noop_with_empty_axes", 1));
        return c.Op("Reshape", [summed, shape]);
    }

    private static string Describe(IReadOnlyList<Dim>? shape) => shape is null ? "unknown" : $"[{string.Join(", ", shape)}]";
}
