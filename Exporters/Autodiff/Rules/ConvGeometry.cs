using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>The window attributes of a Conv, ConvTranspose or pooling node, with ONNX defaults filled in.</summary>
internal sealed record ConvGeometry(long[] Kernel, long[] Strides, long[] Pads, long[] Dilations, long Group)
{
    /// <summary>Reads the node's attributes; the kernel size comes from kernel_shape or from the static shape of <paramref name="weights"/>.</summary>
    public static ConvGeometry Of(GradientContext c, NodeProto node, string? weights)
    {
        var autoPad = node.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID"))
        {
            throw c.Unsupported($"auto_pad={autoPad}; write explicit pads");
        }

        var kernel = node.Ints("kernel_shape")
            ?? (weights is not null && c.StaticShape(weights) is { } w && w.Skip(2).All(d => d.IsFixed) ? w.Skip(2).Select(d => d.Value!.Value).ToArray() : null)
            ?? throw c.Unsupported("the kernel size is unknown; give kernel_shape or weights of static shape");
        var spatial = kernel.Length;
        var pads = autoPad == "VALID" ? null : node.Ints("pads");
        return new(kernel, node.Ints("strides") ?? SpatialShapes.Ones(spatial), pads ?? new long[2 * spatial],
            node.Ints("dilations") ?? SpatialShapes.Ones(spatial), node.Int("group", 1));
    }

    /// <summary>How far one window reaches along spatial axis <paramref name="i"/>: (k − 1)·d + 1.</summary>
    public long Extent(int i) => ((Kernel[i] - 1) * Dilations[i]) + 1;

    /// <summary>The attributes of a Conv or ConvTranspose with this geometry.</summary>
    public AttributeProto[] Attributes() =>
        [Attr.Ints("strides", Strides), Attr.Ints("pads", Pads), Attr.Ints("dilations", Dilations), Attr.Int("group", Group)];

    /// <summary>
    /// Per spatial axis, the input rows that the last window does not reach: (size + pads − extent) mod stride. A transposed
    /// convolution needs them as output_padding to give back the input's size.
    /// </summary>
    public long[] Remainders(GradientContext c, string input)
    {
        var shape = c.StaticShape(input);
        return Kernel.Select((_, i) => Strides[i] == 1 ? 0
            : shape is not null && shape[i + 2].IsFixed ? (shape[i + 2].Value!.Value + Pads[i] + Pads[i + Kernel.Length] - Extent(i)) % Strides[i]
            : throw c.Unsupported($"strides > 1 need a static spatial size of '{input}'")).ToArray();
    }
}
