using FewShot.Exporters.Graphs;
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

        r.Register("Slice", (c, n, dy) => [PaddedBack(c, n, dy) ?? ScatteredBack(c, n, dy), null, null, null, null]);

        // The inverse of zero padding is cropping: Slice from pads_begin to −pads_end.
        r.Register("Pad", (c, n, dy) =>
        {
            var pads = c.ConstantInts(n.Input[1]);
            if (n.String("mode", "constant") != "constant" || pads is null || pads.Any(p => p < 0) || c.NeedsGradient(2))
            {
                throw c.Unsupported("only constant-mode padding by constant, non-negative pads, without a gradient for constant_value, is differentiable");
            }

            var rank = pads.Length / 2;
            var ends = pads.Skip(rank).Select(p => p == 0 ? long.MaxValue : -p).ToArray();
            return [c.Op("Slice", [dy, c.Int64s(pads[..rank]), c.Int64s(ends), c.Int64s(Enumerable.Range(0, rank).Select(i => (long)i).ToArray())]), null, null];
        });
    }

    private static long[] Inverse(long[] perm)
    {
        var inverse = new long[perm.Length];
        for (var i = 0; i < perm.Length; i++)
        {
            inverse[perm[i]] = i;
        }

        return inverse;
    }

    /// <summary>A unit-step slice with constant bounds of axes of static size: its gradient is dy padded with zeros.</summary>
    private static string? PaddedBack(GradientContext c, Onnx.NodeProto n, string dy)
    {
        var (x, starts, ends) = (n.Input[0], c.ConstantInts(n.OptionalInput(1)), c.ConstantInts(n.OptionalInput(2)));
        var shape = c.StaticShape(x);
        var axes = n.OptionalInput(3) is { } given ? c.ConstantInts(given) : starts?.Select((_, i) => (long)i).ToArray();
        var steps = n.OptionalInput(4) is { } stepped ? c.ConstantInts(stepped) : starts?.Select(_ => 1L).ToArray();
        if (starts is null || ends is null || axes is null || steps is null || shape is null || steps.Any(s => s != 1))
        {
            return null;
        }

        var pads = new long[2 * shape.Count];
        for (var k = 0; k < axes.Length; k++)
        {
            var a = (int)ShapeInference.Normalize(axes[k], shape.Count);
            if (!shape[a].IsFixed)
            {
                return null;
            }

            var size = shape[a].Value!.Value;
            var from = Math.Clamp(starts[k] < 0 ? starts[k] + size : starts[k], 0, size);
            pads[a] = from;
            pads[a + shape.Count] = size - from - ShapeInference.SliceLength(size, starts[k], ends[k], 1);
        }

        return c.Op("Pad", [dy, c.Int64s(pads)]);
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
