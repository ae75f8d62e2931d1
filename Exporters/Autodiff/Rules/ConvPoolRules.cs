using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rules of convolutions and pooling. Each emits Conv/ConvTranspose/ScatterElements, which have rules too.</summary>
internal static class ConvPoolRules
{
    public static void Register(GradientRegistry r)
    {
        // dx is the transposed convolution of dy (output_padding restores rows the last stride skipped).
        r.Register("Conv", (c, n, dy) =>
        {
            var (x, w) = (n.Input[0], n.Input[1]);
            var g = ConvGeometry.Of(c, n, w);
            var bias = n.OptionalInput(2) is null ? null : SumAllButChannels(c, dy);
            if (DepthSlices.Gradients(c, x, w, dy, g) is var (sliceInput, sliceWeight))
            {
                return [sliceInput, sliceWeight, bias];
            }

            var dx = c.Op("ConvTranspose", [dy, w], [.. g.Attributes(), Attr.Ints("output_padding", g.Remainders(c, x))]);
            return [dx, ConvGradients.Weight(c, x, dy, g), bias];
        });

        // A transposed convolution is the adjoint of the convolution with the same weights: dx is that convolution of dy.
        r.Register("ConvTranspose", (c, n, dy) =>
        {
            if (n.Ints("output_shape") is not null)
            {
                throw c.Unsupported("output_shape; give pads and output_padding instead");
            }

            var (x, w) = (n.Input[0], n.Input[1]);
            var g = ConvGeometry.Of(c, n, w);
            return [c.Op("Conv", [dy, w], g.Attributes()), ConvGradients.Weight(c, dy, x, g), n.OptionalInput(2) is null ? null : SumAllButChannels(c, dy)];
        });

        // Routes each output gradient to the element its window picked (first maximum). Square windows that tile the input
        // route block-wise, so the forward MaxPool needs no Indices output (which puts ONNX Runtime on a generic kernel);
        // otherwise through the Indices, flat over the whole tensor: windows that cannot overlap scatter without reduction,
        // which stays deterministic on any device.
        r.Register("MaxPool", (c, n, dy) =>
        {
            if (n.Int("storage_order", 0) != 0)
            {
                throw c.Unsupported("storage_order=1 (column-major indices)");
            }

            var (x, g) = (n.Input[0], ConvGeometry.Of(c, n, null));
            if (MaxPoolRouting.Blockwise(c, x, n.Output[0], dy, g) is { } blocks)
            {
                return [blocks];
            }

            var indices = n.Output.Count > 1 && n.Output[1].Length != 0 ? n.Output[1] : c.Graph.AddOutput(n, $"{n.Output[0]}_argmax");
            var overlap = g.Kernel.Select((_, i) => g.Extent(i) > g.Strides[i]).Any(o => o);
            var flat = c.Int64s(-1);
            var routed = c.Op("ScatterElements", [c.FlatZeros(x), c.Op("Reshape", [indices, flat]), c.Op("Reshape", [dy, flat])],
                Attr.String("reduction", overlap ? "add" : "none"));
            return [c.Op("Reshape", [routed, c.ShapeOf(x)])];
        });

        // Spreads each output gradient evenly over its window: a transposed convolution of every channel with a constant kernel.
        r.Register("AveragePool", (c, n, dy) =>
        {
            if (n.Int("ceil_mode", 0) != 0)
            {
                throw c.Unsupported("ceil_mode=1");
            }

            var (x, g) = (n.Input[0], ConvGeometry.Of(c, n, null));
            var spatial = g.Kernel.Length;
            var planes = c.Op("Reshape", [dy, c.Int64s([-1, 1, .. new long[spatial]])]);
            var exclusive = n.Int("count_include_pad", 0) == 0 && g.Pads.Any(p => p != 0);
            var size = g.Kernel.Aggregate(1L, (p, k) => p * k);
            var kernel = c.Constant(ConvGradients.Filled(c.Graph.ElementTypeOf(dy), [1, 1, .. g.Kernel], Enumerable.Repeat(exclusive ? 1.0 : 1.0 / size, (int)size).ToArray()));
            var scaled = exclusive ? c.Op("Div", [planes, ConvGradients.WindowCounts(c, x, dy, g)]) : planes;
            var spread = c.Op("ConvTranspose", [scaled, kernel], [.. g.Attributes(), Attr.Ints("output_padding", g.Remainders(c, x))]);
            return [c.Op("Reshape", [spread, c.ShapeOf(x)])];
        });

        r.Register("GlobalAveragePool", (c, n, dy) =>
            [c.Op("Expand", [c.Op("Div", [dy, c.ElementRatio(n.Input[0], dy)]), c.ShapeOf(n.Input[0])])]);
    }

    private static string SumAllButChannels(GradientContext c, string dy) =>
        c.Op("ReduceSum", [dy, c.Int64s([0, .. Enumerable.Range(2, c.Rank(dy) - 2).Select(i => (long)i)])], Attr.Int("keepdims", 0));
}
