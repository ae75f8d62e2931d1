using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff;

/// <summary>
/// Output shapes of the shape-manipulating operators (opset 17 semantics), symbols included. A size that cannot be
/// told comes from <c>fresh</c>, a new symbol equal to no other dimension.
/// </summary>
internal static class ShapeFunctions
{
    /// <summary>A reduction over <paramref name="axes"/> (null: all), keeping them as 1 when the node's keepdims is set.</summary>
    public static Dim[] Reduce(IReadOnlyList<Dim> x, long[]? axes, NodeProto node)
    {
        var reduced = (axes ?? Enumerable.Range(0, x.Count).Select(i => (long)i)).Select(a => Normalize(a, x.Count)).ToHashSet();
        var keep = node.Int("keepdims", 1) == 1;
        return x.Where((_, i) => keep || !reduced.Contains(i)).Select((d, i) => keep && reduced.Contains(i) ? (Dim)1 : d).ToArray();
    }

    /// <summary>Reshape to <paramref name="target"/>, where 0 copies the input's size and −1 takes what is left.</summary>
    public static Dim[]? Reshape(IReadOnlyList<Dim>? x, SymbolicInt[]? target, Func<Dim> fresh)
    {
        if (target is null)
        {
            return null;
        }

        var result = new Dim[target.Length];
        var inferred = -1;
        for (var i = 0; i < target.Length; i++)
        {
            if (target[i] is { IsKnown: true, Number: -1 })
            {
                inferred = i;
            }
            else if (target[i] is { IsKnown: true, Number: 0 })
            {
                if (x is null || i >= x.Count)
                {
                    return null;
                }

                result[i] = x[i];
            }
            else
            {
                result[i] = target[i].ToDim() ?? fresh();
            }
        }

        if (inferred >= 0)
        {
            result[inferred] = x is null ? fresh() : Quotient(x, result.Where((_, i) => i != inferred), fresh);
        }

        return result;
    }

    /// <summary>The size that makes the element counts equal: product(whole) / product(part), symbols cancelled.</summary>
    public static Dim Quotient(IEnumerable<Dim> whole, IEnumerable<Dim> part, Func<Dim> fresh)
    {
        var symbols = new List<string>();
        long numerator = 1, denominator = 1;
        foreach (var dim in whole)
        {
            if (dim.IsFixed)
            {
                numerator *= dim.Value!.Value;
            }
            else
            {
                symbols.Add(dim.Symbol!);
            }
        }

        foreach (var dim in part)
        {
            if (dim.IsFixed)
            {
                denominator *= dim.Value!.Value;
            }
            else if (!symbols.Remove(dim.Symbol!))
            {
                return fresh();
            }
        }

        return denominator == 0 || numerator % denominator != 0 ? fresh()
            : symbols.Count == 0 ? numerator / denominator
            : symbols.Count == 1 && numerator == denominator ? Dim.Symbolic(symbols[0])
            : fresh();
    }

    /// <summary>Flatten into [product of the axes before <paramref name="axis"/>, product of the rest].</summary>
    public static Dim[] Flatten(IReadOnlyList<Dim> x, int axis, Func<Dim> fresh) => [Quotient(x.Take(axis), [], fresh), Quotient(x.Skip(axis), [], fresh)];

    /// <summary>Squeeze <paramref name="axes"/>, or every size-1 axis when null (then only for fully static shapes).</summary>
    public static Dim[]? Squeeze(IReadOnlyList<Dim>? x, long[]? axes)
    {
        if (x is null || (axes is null && x.Any(d => !d.IsFixed)))
        {
            return null;
        }

        var removed = axes?.Select(a => Normalize(a, x.Count)).ToHashSet();
        return x.Where((d, i) => removed is null ? d.Value != 1 : !removed.Contains(i)).ToArray();
    }

    /// <summary>Unsqueeze: insert size-1 axes at <paramref name="axes"/> of the result.</summary>
    public static Dim[]? Unsqueeze(IReadOnlyList<Dim>? x, long[]? axes)
    {
        if (x is null || axes is null)
        {
            return null;
        }

        var rank = x.Count + axes.Length;
        var inserted = axes.Select(a => Normalize(a, rank)).ToHashSet();
        var source = 0;
        return Enumerable.Range(0, rank).Select(i => inserted.Contains(i) ? (Dim)1 : x[source++]).ToArray();
    }

    /// <summary>Concatenation along <paramref name="axis"/>.</summary>
    public static Dim[]? Concat(IReadOnlyList<Dim>?[] inputs, long axis, Func<Dim> fresh)
    {
        if (inputs.Length == 0 || inputs.Any(s => s is null))
        {
            return null;
        }

        var first = inputs[0]!;
        var a = (int)Normalize(axis, first.Count);
        var sizes = inputs.Select(s => s![a]).ToArray();
        var result = first.ToArray();
        result[a] = sizes.All(d => d.IsFixed) ? sizes.Sum(d => d.Value!.Value) : sizes.Count(d => d.Value != 0) == 1 ? sizes.First(d => d.Value != 0) : fresh();
        return result;
    }

    /// <summary>The number of elements ONNX Slice takes from an axis of the given size, with its clamping rules.</summary>
    public static long SliceLength(long size, long start, long end, long step)
    {
        var (s, e) = (start < 0 ? start + size : start, end < 0 ? end + size : end);
        return step > 0
            ? Math.Max(0, (Math.Clamp(e, 0, size) - Math.Clamp(s, 0, size) + step - 1) / step)
            : Math.Max(0, (Math.Clamp(s, 0, size - 1) - Math.Clamp(e, -1, size - 1) - step - 1) / -step);
    }

    /// <summary>Padding by constant <paramref name="pads"/> (all begins, then all ends); a padded symbol becomes "symbol+n".</summary>
    public static Dim[]? Pad(IReadOnlyList<Dim>? x, long[]? pads)
    {
        if (x is null || pads is null || pads.Length != 2 * x.Count)
        {
            return null;
        }

        var result = x.ToArray();
        for (var i = 0; i < x.Count; i++)
        {
            var extra = pads[i] + pads[i + x.Count];
            result[i] = extra == 0 ? x[i] : x[i].IsFixed ? x[i].Value!.Value + extra : Dim.Symbolic($"{x[i].Symbol}+{extra}");
        }

        return result;
    }

    /// <summary>The dimensions that a Shape node reports, honouring its start and end attributes.</summary>
    public static Dim[] ShapeSlice(NodeProto node, IReadOnlyList<Dim> shape)
    {
        var from = (int)Math.Clamp(Normalize(node.Int("start", 0), shape.Count), 0, shape.Count);
        var to = (int)Math.Clamp(node.Int("end", shape.Count) is var end && end < 0 ? end + shape.Count : end, 0, shape.Count);
        return shape.Skip(from).Take(Math.Max(0, to - from)).ToArray();
    }

    /// <summary>A possibly negative axis as a non-negative one, for a tensor of the given rank.</summary>
    public static long Normalize(long axis, int rank) => axis < 0 ? axis + rank : axis;
}
