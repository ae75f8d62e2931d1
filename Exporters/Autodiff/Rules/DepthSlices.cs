using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>
/// Gradients of a 3-D convolution of one input [1, C, D, H, W] whose kernel is one deep (depth stride 1, no depth
/// padding): it convolves each depth slice by itself, as a batch of D maps written as depth does (ONNX Runtime's CPU
/// convolution then runs one product threaded by position instead of one per map). Its gradients are written as those
/// of the 2-D convolution of the slices [D, C, H, W]: ONNX Runtime's 3-D ConvTranspose is slower than its 2-D one
/// (benchmarks/stacked-maps.sh), and the weight gradients by matrix products and stride phases are written for 2-D.
/// </summary>
internal static class DepthSlices
{
    /// <summary>The input and weight gradients, or null when the node is not such a convolution.</summary>
    public static (string Input, string Weight)? Gradients(GradientContext c, string x, string w, string dy, ConvGeometry g)
    {
        if (g.Kernel is not [1, _, _] || g.Strides[0] != 1 || g.Pads[0] != 0 || g.Pads[3] != 0 || g.Group != 1
            || c.StaticShape(x) is not { Count: 5 } shape || shape[0].Value != 1)
        {
            return null;
        }

        var slices = new ConvGeometry(g.Kernel[1..], g.Strides[1..], [g.Pads[1], g.Pads[2], g.Pads[4], g.Pads[5]], g.Dilations[1..], 1);
        var perm = Attr.Ints("perm", 1, 0, 2, 3);
        var first = c.Int64s(0);
        string Slices(string value) => c.Op("Transpose", [c.Op("Squeeze", [value, first])], perm);
        var (maps, mapGradients, kernel) = (Slices(x), Slices(dy), c.Op("Squeeze", [w, c.Int64s(2)]));
        var dx = c.Op("ConvTranspose", [mapGradients, kernel], [.. slices.Attributes(), Attr.Ints("output_padding", slices.Remainders(c, maps))]);
        return (c.Op("Unsqueeze", [c.Op("Transpose", [dx], perm), first]), c.Op("Unsqueeze", [ConvGradients.Weight(c, maps, mapGradients, slices), c.Int64s(2)]));
    }
}
