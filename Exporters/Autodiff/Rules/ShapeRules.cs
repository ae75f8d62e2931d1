using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rules of operators that move or select elements without arithmetic.</summary>
internal static class ShapeRules
{
    public static void Register(GradientRegistry r)
    {
        r.Register("Reshape", (c, n, dy) => [c.Op("Reshape", [dy, c.ShapeOf(n.Input[0])]), null]);
        r.Register("Flatten", (c, n, dy) => [c.Op("Reshape", [dy, c.ShapeOf(n.Input[0])])]);
        r.Register("Squeeze", (c, n, dy) => [c.Op("Reshape", [dy, c.ShapeOf(n.Input[0])]), null]);
        r.Register("Unsqueeze", (c, n, dy) => [c.Op("Squeeze", [dy, n.Input[1]]), null]);
        r.Register("Expand", (c, n, dy) => [dy, null], broadcasting: true);
        r.Register("Transpose", (c, n, dy) =>
            [n.Ints("perm") is { } perm ? c.Op("Transpose", [dy], Attr.Ints("perm", Inverse(perm))) : c.Op("Transpose", [dy])]);

        // SpaceToDepth orders each block's elements as DepthToSpace's DCR mode reads them, so each undoes the other.
        r.Register("SpaceToDepth", (c, n, dy) =>
            [c.Op("DepthToSpace", [dy], Attr.Int("blocksize", n.Int("blocksize", 0)), Attr.String("mode", "DCR"))]);
        r.Register("DepthToSpace", (c, n, dy) => n.String("mode", "DCR") == "DCR"
            ? [c.Op("SpaceToDepth", [dy], Attr.Int("blocksize", n.Int("blocksize", 0)))]
            : throw c.Unsupported("mode=CRD"));

        // Nearest upsampling by whole factors (the only Resize FewShot emits) copies each element into a block of the output,
        // so its adjoint sums each block: split every scaled axis into (size, factor) and reduce the factors away.
        r.Register("Resize", (c, n, dy) => [UpsampledBack(c, n, dy), null, null, null]);

        r.Register("Concat", (c, n, dy) =>
        {
            var axis = c.Int64s(n.Int("axis", 0));
            var start = c.Int64s(0);
            var gradients = new string?[n.Input.Count];
            for (var i = 0; i < gradients.Length; i++)
            {
                var size = c.SizeAlong(n.Input[i], n.Int("axis", 0));
                var end = c.ConstantInts(start) is [var a] && c.ConstantInts(size) is [var b] ? c.Int64s(a + b) : c.Op("Add", [start, size]);
                gradients[i] = c.Op("Slice", [dy, start, end, axis]);
                start = end;
            }

            return gradients;
        });

        r.Register("Slice", (c, n, dy) => [ConcatenatedBack(c, n, dy) ?? ScatteredBack(c, n, dy), null, null, null, null]);

        // The inverse of zero padding is cropping: Slice from pads_begin to −pads_end.
        r.Register("Pad", (c, n, dy) =>
        {
            var pads = c.ConstantInts(n.Input[1]);
            if (n.String("mode", "constant") != "constant" || pads is null || pads.Any(p => p < 0) || c.NeedsGradient(2))
            {
                throw c.Unsupported("only constant-mode padding by constant, non-negative pads, without a gradient for constant_value, is differentiable");
            }

            // Only the padded axes: a symbolic size elsewhere then keeps its symbol.
            var rank = pads.Length / 2;
            long[] axes = [.. Enumerable.Range(0, rank).Where(i => pads[i] != 0 || pads[i + rank] != 0).Select(i => (long)i)];
            if (axes.Length == 0)
            {
                return [dy, null, null];
            }

            var ends = axes.Select(a => pads[a + rank] == 0 ? long.MaxValue : -pads[a + rank]).ToArray();
            return [c.Op("Slice", [dy, c.Int64s([.. axes.Select(a => pads[a])]), c.Int64s(ends), c.Int64s(axes)]), null, null];
        });
    }

    private static string UpsampledBack(GradientContext c, NodeProto n, string dy)
    {
        var x = n.Input[0];
        var scales = n.OptionalInput(2) is { } name && c.Graph.ElementTypeOf(name) == DataType.Float && n.OptionalInput(3) is null
            ? ConstantFloats(c, name) : null;
        var shape = c.StaticShape(x);
        if (n.String("mode", "nearest") != "nearest" || n.String("coordinate_transformation_mode", "half_pixel") != "asymmetric"
            || n.String("nearest_mode", "round_prefer_floor") != "floor" || scales is null || shape is null || scales.Length != shape.Count
            || scales.Any(s => s < 1 || s != Math.Floor(s)))
        {
            throw c.Unsupported("only nearest upsampling by whole constant scales (asymmetric coordinates, floor) is differentiable");
        }

        var firstScaled = Array.FindIndex(scales, s => s != 1);
        if (firstScaled < 0)
        {
            return dy;
        }

        if (shape.Skip(firstScaled).Any(d => !d.IsFixed))
        {
            throw c.Unsupported("Resize's gradient needs static sizes from its first scaled axis on");
        }

        var (split, factors) = (new List<long>(Enumerable.Repeat(0L, firstScaled)), new List<long>());
        for (var i = firstScaled; i < shape.Count; i++)
        {
            split.Add(shape[i].Value!.Value);
            if (scales[i] != 1)
            {
                factors.Add(split.Count);
                split.Add((long)scales[i]);
            }
        }

        return c.Op("ReduceSum", [c.Op("Reshape", [dy, c.Int64s([.. split])]), c.Int64s([.. factors])], Attr.Int("keepdims", 0));
    }

    private static float[]? ConstantFloats(GradientContext c, string value) =>
        c.ConstantTensor(value) is { DataType: (int)DataType.Float } t ? TensorData.ToFloats(t) : null;

    private static long[] Inverse(long[] perm)
    {
        var inverse = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++)
        {
            inverse[perm[i]] = i;
        }

        return inverse;
    }

    /// <summary>
    /// A unit-step slice with constant bounds along axes of static size: its gradient is dy with blocks of zeros
    /// concatenated before and after it along each sliced axis (the blocks' other sizes, where symbolic, read from dy). Not Pad: ONNX Runtime's PadFusion (1.30) folds a
    /// zero Pad into the Conv that consumes it without checking which input it feeds, which breaks a Pad that ends up
    /// in front of a Conv's weights (as gradients of weight gradients do).
    /// </summary>
    private static string? ConcatenatedBack(GradientContext c, Onnx.NodeProto n, string dy)
    {
        var (x, starts, ends) = (n.Input[0], c.ConstantInts(n.OptionalInput(1)), c.ConstantInts(n.OptionalInput(2)));
        var axes = n.OptionalInput(3) is { } given ? c.ConstantInts(given) : starts?.Select((_, i) => (long)i).ToArray();
        var steps = n.OptionalInput(4) is { } stepped ? c.ConstantInts(stepped) : starts?.Select(_ => 1L).ToArray();
        if (c.StaticShape(x) is not { } shape || starts is null || ends is null || axes is null || steps is null || steps.Any(s => s != 1)
            || axes.Any(a => !shape[(int)ShapeFunctions.Normalize(a, shape.Count)].IsFixed))
        {
            return null;
        }

        // A symbolic size (never a sliced axis) is marked −1: dy has it too.
        var sizes = shape.Select(d => d.Value ?? -1).ToArray();
        var current = sizes.ToArray();
        for (var k = 0; k < axes.Length; k++)
        {
            var a = (int)ShapeFunctions.Normalize(axes[k], sizes.Length);
            current[a] = ShapeFunctions.SliceLength(sizes[a], starts[k], ends[k], 1);
        }

        var gradient = dy;
        for (var k = 0; k < axes.Length; k++)
        {
            var a = (int)ShapeFunctions.Normalize(axes[k], sizes.Length);
            var before = Math.Clamp(starts[k] < 0 ? starts[k] + sizes[a] : starts[k], 0, sizes[a]);
            var after = sizes[a] - before - current[a];
            string Block(long size)
            {
                long[] block = [.. current.Select((d, i) => i == a ? size : d)];
                return block.All(d => d >= 0) ? c.Zeros(block, dy)
                    : c.ZerosOfShape(c.Op("Concat", [.. block.Select((d, i) => d >= 0 ? c.Int64s(d) : c.SizeAlong(dy, i))], Attr.Int("axis", 0)), dy);
            }

            string[] parts = [.. before > 0 ? [Block(before)] : Array.Empty<string>(), gradient, .. after > 0 ? [Block(after)] : Array.Empty<string>()];
            gradient = parts.Length == 1 ? gradient : c.Op("Concat", parts, Attr.Int("axis", a));
            current[a] = sizes[a];
        }

        return gradient;
    }

    /// <summary>Any other slice: slice a tensor of flat element indices the same way and scatter dy to those positions.</summary>
    private static string ScatteredBack(GradientContext c, Onnx.NodeProto n, string dy)
    {
        var x = n.Input[0];
        var count = c.StaticShape(x) is { } s && s.All(d => d.IsFixed)
            ? c.Constant(TensorData.Scalar("", DataType.Int64, s.Aggregate(1L, (p, d) => p * d.Value!.Value)))
            : c.Op("Size", [x]);
        var range = c.Op("Range", [c.Constant(TensorData.Scalar("", DataType.Int64, 0)), count, c.Constant(TensorData.Scalar("", DataType.Int64, 1))]);
        var positions = c.Op("Slice", [c.Op("Reshape", [range, c.ShapeOf(x)]), .. n.Input.Skip(1)]);
        var flat = c.Int64s(-1);
        var routed = c.Op("ScatterElements", [c.FlatZeros(x), c.Op("Reshape", [positions, flat]), c.Op("Reshape", [dy, flat])]);
        return c.Op("Reshape", [routed, c.ShapeOf(x)]);
    }
}
