using FewShot.Exporters.Graphs;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>MaxPool's input gradient when its windows tile the input, without MaxPool's Indices output.</summary>
internal static class MaxPoolRouting
{
    /// <summary>
    /// The input gradient of a k×k MaxPool with stride k, no padding or dilation (a last partial row or column is dropped, as
    /// the floor rule does), all at the input's resolution: each element equal to its window's upsampled maximum is ranked
    /// by its place in the window (row-major, first highest), a second MaxPool of the ranks picks each window's first
    /// maximum (the element PyTorch and MaxPool's Indices pick), and the upsampled output gradient is masked to it. Null for
    /// other geometries, ranks or unknown channel and spatial sizes.
    /// </summary>
    /// <remarks>
    /// Every step is a contiguous elementwise pass, a pool or a nearest upsampling. The earlier lowering cut the input into
    /// k² planes with SpaceToDepth and put the routed planes back with DepthToSpace; ONNX Runtime's CPU DepthToSpace alone
    /// took 1.9 ms on conv4's first layer (25 × 64 × 28 × 28), and the whole routing there about 3.2 ms against 2.1 ms
    /// for this one (1 thread, same gradient to the bit; benchmarks/README.md, lever table).
    /// </remarks>
    public static string? Blockwise(GradientContext c, string x, string pooled, string dy, ConvGeometry g)
    {
        var k = g.Kernel.Length == 2 ? g.Kernel[0] : 0;
        if (k < 2 || g.Kernel[1] != k || g.Strides.Any(s => s != k) || g.Pads.Any(p => p != 0) || g.Dilations.Any(d => d != 1)
            || c.StaticShape(x) is not { Count: 4 } shape || shape.Skip(1).Any(d => !d.IsFixed))
        {
            return null;
        }

        var (height, width) = (shape[2].Value!.Value, shape[3].Value!.Value);
        var (croppedHeight, croppedWidth) = (height / k * k, width / k * k);
        var cropped = croppedHeight == height && croppedWidth == width ? x
            : c.Op("Slice", [x, c.Int64s(0, 0), c.Int64s(croppedHeight, croppedWidth), c.Int64s(2, 3)]);
        var type = c.Graph.ElementTypeOf(dy);
        var up = new Upsampling(c, type, k, croppedHeight, croppedWidth);
        var maxima = c.Op("Cast", [c.Op("Equal", [cropped, up.Of(pooled)])], Attr.Int("to", (long)type));
        var ranks = c.Op("Mul", [maxima, c.Constant(ConvGradients.Filled(type, [1, 1, croppedHeight, croppedWidth], Ranks(k, croppedHeight, croppedWidth)))]);
        var highest = c.Op("MaxPool", [ranks], Attr.Ints("kernel_shape", k, k), Attr.Ints("strides", k, k));
        var first = c.Op("Cast", [c.Op("Equal", [ranks, up.Of(highest)])], Attr.Int("to", (long)type));
        var dx = c.Op("Mul", [up.Of(dy), first]);
        return cropped == x ? dx : c.Op("Pad", [dx, c.Int64s(0, 0, 0, 0, 0, 0, height - croppedHeight, width - croppedWidth)]);
    }

    /// <summary>Each element's rank in its k×k window: k² for the first (row-major), 1 for the last.</summary>
    private static double[] Ranks(long k, long height, long width) =>
        Enumerable.Range(0, (int)(height * width)).Select(i => (double)((k * k) - ((i / width % k * k) + (i % width % k)))).ToArray();

    /// <summary>
    /// Nearest upsampling by k along both spatial axes: Resize for float32, which ONNX Runtime's CPU and CUDA providers run
    /// in one fast pass; a reshape, broadcast and reshape for other types, which its CPU Resize does not take.
    /// </summary>
    private sealed class Upsampling(GradientContext c, DataType type, long k, long height, long width)
    {
        public string Of(string value) => type == DataType.Float
            ? c.Op("Resize", [value, "", c.Constant(TensorData.Float("", [4], [1, 1, k, k]))],
                Attr.String("mode", "nearest"), Attr.String("coordinate_transformation_mode", "asymmetric"), Attr.String("nearest_mode", "floor"))
            : c.Op("Reshape", [c.Op("Expand", [c.Op("Reshape", [value, c.Int64s(0, 0, height / k, 1, width / k, 1)]), c.Int64s(1, 1, 1, k, 1, k)]), c.Int64s(0, 0, height, width)]);
    }
}
