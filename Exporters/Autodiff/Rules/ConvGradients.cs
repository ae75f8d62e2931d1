using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>The longer pieces of the convolution and pooling rules.</summary>
internal static class ConvGradients
{
    /// <summary>
    /// The gradient of convolution weights: the correlation of <paramref name="input"/> with <paramref name="outputGradient"/>,
    /// written as one Conv in which channels play the batch and the batch plays channels (strides and dilations swap roles).
    /// With groups, each group's channels are moved next to the batch first. Also serves ConvTranspose, whose weight
    /// gradient is that of the adjoint convolution (input = the transposed conv's output gradient).
    /// </summary>
    public static string Weight(GradientContext c, string input, string outputGradient, ConvGeometry g)
    {
        if (WeightByGemm(c, input, outputGradient, g) is { } product)
        {
            return product;
        }

        var spatial = g.Kernel.Length;
        var swap = new long[] { 1, 0 }.Concat(Enumerable.Range(2, spatial).Select(i => (long)i)).ToArray();
        string images, filters;
        if (g.Group == 1)
        {
            images = c.Op("Transpose", [input], Attr.Ints("perm", swap));
            filters = c.Op("Transpose", [outputGradient], Attr.Ints("perm", swap));
        }
        else
        {
            var (x, y) = (StaticDims(c, input), StaticDims(c, outputGradient));
            images = Grouped(c, input, x, g.Group, [2, 1, 0], [x[1] / g.Group, -1]);
            filters = Grouped(c, outputGradient, y, g.Group, [1, 2, 0], [y[1], -1]);
        }

        var correlation = c.Op("Conv", [images, filters],
            Attr.Ints("strides", g.Dilations), Attr.Ints("pads", g.Pads), Attr.Ints("dilations", g.Strides), Attr.Int("group", g.Group));

        // The correlation is longer than the kernel when the last stride leaves at least one dilation step unused.
        var remainders = g.Remainders(c, input);
        if (remainders.Where((r, i) => r >= g.Dilations[i]).Any())
        {
            correlation = c.Op("Slice", [correlation, c.Int64s(new long[spatial]), c.Int64s(g.Kernel), c.Int64s(Enumerable.Range(2, spatial).Select(i => (long)i).ToArray())]);
        }

        return c.Op("Transpose", [correlation], Attr.Ints("perm", swap));
    }

    /// <summary>
    /// The weight gradient as one matrix product per kernel offset, dW[:, :, k] = dY · Xₖᵀ over the batch and all output
    /// positions, where Xₖ is the input strided to the output grid at offset k (one Slice of the padded, channel-major
    /// input); with a stride, or where the offsets' columns together are no larger than the output gradient, one product over
    /// their concatenation (im2col) instead (see below). The single Conv
    /// form computes the same sums as a convolution whose kernel is the whole feature map, which ONNX Runtime runs several
    /// times slower. With a stride (the same on both axes of a 2-D convolution) the padded input is first cut into its
    /// stride² phases by SpaceToDepth, so that every offset is an unstepped Slice of one phase: ONNX Runtime copies stepped
    /// Slices element by element, which on the strided conv4's MAML step (25 images, 1 thread) took 2.8 of 15.5 ms of node
    /// time; the single Conv form made it 13.5 ms, the phases 12.5 ms. Ungrouped convolutions with static channel sizes,
    /// and static spatial sizes unless every stride is 1 (each offset's Slice then ends where it does counted from the
    /// end: maps whose size only the run fixes, which fell back to the single Conv form); null otherwise.
    /// </summary>
    private static string? WeightByGemm(GradientContext c, string input, string outputGradient, ConvGeometry g)
    {
        var spatial = g.Kernel.Length;
        var stride = g.Strides[0];
        var phased = stride > 1;
        if (g.Group != 1 || (phased && (spatial != 2 || g.Strides.Any(s => s != stride))) || g.Strides.Any(s => s < 1)
            || c.StaticShape(input) is not { } x || c.StaticShape(outputGradient) is not { } y
            || x.Count != spatial + 2 || y.Count != spatial + 2 || !x[1].IsFixed || !y[1].IsFixed)
        {
            return null;
        }

        var symbolicMaps = x.Skip(2).Concat(y.Skip(2)).Any(d => !d.IsFixed);
        if (symbolicMaps && g.Strides.Any(s => s != 1))
        {
            return null;
        }

        var (inputChannels, outputChannels) = (x[1].Value!.Value, y[1].Value!.Value);
        var outputSizes = symbolicMaps ? null : y.Skip(2).Select(d => d.Value!.Value).ToArray();
        var swap = new long[] { 1, 0 }.Concat(Enumerable.Range(2, spatial).Select(i => (long)i)).ToArray();
        var spatialAxes = c.Int64s(Enumerable.Range(2, spatial).Select(i => (long)i).ToArray());
        var images = c.Op("Transpose", [input], Attr.Ints("perm", swap));
        // With a stride, each axis is padded on to a multiple of it, so that SpaceToDepth can cut the input into its
        // stride² phases: every kernel offset is then a plain (unstepped) Slice of one phase.
        var padded = phased ? Enumerable.Range(0, spatial).Select(i => x[i + 2].Value!.Value + g.Pads[i] + g.Pads[i + spatial]).ToArray() : null;
        var extra = padded?.Select(p => (stride - (p % stride)) % stride).ToArray() ?? new long[spatial];
        if (g.Pads.Any(p => p != 0) || extra.Any(e => e != 0))
        {
            images = c.Op("Pad", [images, c.Int64s([0, 0, .. g.Pads[..spatial], 0, 0, .. g.Pads[spatial..].Select((p, i) => p + extra[i])])]);
        }

        var phases = phased
            ? c.Op("SpaceToDepth", [c.Op("Reshape", [images, c.Int64s([-1, 1, .. padded!.Select((p, i) => p + extra[i])])])], Attr.Int("blocksize", stride))
            : null;
        var gradients = c.Op("Reshape", [c.Op("Transpose", [outputGradient], Attr.Ints("perm", swap)), c.Int64s(outputChannels, -1)]);
        var kernelSize = g.Kernel.Aggregate(1L, (p, k) => p * k);
        // One product over all offsets' columns where they take no more room than the output gradient the products read
        // anyway: a conv4's first layer (1 input channel) ran nine matrix-vector products over the 19,600 positions of
        // 25 images, each reading the whole output gradient again (2.26 of 28.5 ms of its MAML step, 1 thread).
        var oneProduct = phased || inputChannels * kernelSize <= outputChannels;
        var perOffset = new List<string>();
        foreach (var offset in KernelOffsets(g.Kernel))
        {
            var starts = offset.Select((k, i) => k * g.Dilations[i]).ToArray();
            string strided;
            if (phases is null)
            {
                // Unstrided with symbolic sizes: offset k's columns end (K − 1 − k)·dilation short of the padded input's end.
                var ends = outputSizes is null
                    ? offset.Select((k, i) => (g.Kernel[i] - 1 - k) * g.Dilations[i]).Select(e => e == 0 ? long.MaxValue : -e).ToArray()
                    : starts.Select((s, i) => s + ((outputSizes[i] - 1) * g.Strides[i]) + 1).ToArray();
                strided = c.Op("Slice", [images, c.Int64s(starts), c.Int64s(ends), spatialAxes, c.Int64s(g.Strides)]);
            }
            else
            {
                // Offset k lies in phase k mod stride, k div stride rows (or columns) into it.
                var phase = ((starts[0] % stride) * stride) + (starts[1] % stride);
                var (row, column) = (starts[0] / stride, starts[1] / stride);
                var slice = c.Op("Slice", [phases, c.Int64s(phase, row, column), c.Int64s(phase + 1, row + outputSizes![0], column + outputSizes[1]), c.Int64s(1, 2, 3)]);
                strided = c.Op("Reshape", [slice, c.Int64s([inputChannels, -1, .. outputSizes])]);
            }

            perOffset.Add(!oneProduct
                // Otherwise one product [O, C] per offset, made as soon as its slice exists, so that the k² slices (the
                // im2col matrix: 11 MB for the second layer of a conv4 MAML step on 25 images) never stand side by side.
                ? c.Op("Unsqueeze", [c.Op("Gemm", [gradients, c.Op("Reshape", [strided, c.Int64s(inputChannels, -1)])], Attr.Int("transB", 1)), c.Int64s(2)])
                // Strided: each phase's slice is a stride² fraction of the input, and one product over all of them ran
                // about 5 % faster on the strided conv4 than a product per offset.
                : c.Op("Unsqueeze", [strided, c.Int64s(1)]));
        }

        if (!oneProduct)
        {
            var products = perOffset.Count == 1 ? perOffset[0] : c.Op("Concat", [.. perOffset], Attr.Int("axis", 2));
            return c.Op("Reshape", [products, c.Int64s([outputChannels, inputChannels, .. g.Kernel])]);
        }

        var columns = c.Op("Reshape", [c.Op("Concat", [.. perOffset], Attr.Int("axis", 1)), c.Int64s(inputChannels * kernelSize, -1)]);
        var product = c.Op("Gemm", [gradients, columns], Attr.Int("transB", 1));
        return c.Op("Reshape", [product, c.Int64s([outputChannels, inputChannels, .. g.Kernel])]);
    }

    /// <summary>Every index of a kernel, last axis fastest (the order of the weights' flattened spatial axes).</summary>
    private static IEnumerable<long[]> KernelOffsets(long[] kernel)
    {
        var count = kernel.Aggregate(1L, (p, k) => p * k);
        for (var flat = 0L; flat < count; flat++)
        {
            var offset = new long[kernel.Length];
            var rest = flat;
            for (var i = kernel.Length - 1; i >= 0; i--)
            {
                (offset[i], rest) = (rest % kernel[i], rest / kernel[i]);
            }

            yield return offset;
        }
    }

    /// <summary>For each output position of an average pool, the number of input elements (padding excluded) its window averages.</summary>
    public static string WindowCounts(GradientContext c, string x, string dy, ConvGeometry g)
    {
        var (input, output) = (StaticDims(c, x), StaticDims(c, dy));
        var spatial = g.Kernel.Length;
        var counts = new double[] { 1 };
        for (var i = 0; i < spatial; i++)
        {
            var axis = Enumerable.Range(0, (int)output[i + 2])
                .Select(p => (double)Enumerable.Range(0, (int)g.Kernel[i]).Count(k => (p * g.Strides[i]) - g.Pads[i] + k is var at && at >= 0 && at < input[i + 2]))
                .ToArray();
            counts = counts.SelectMany(outer => axis.Select(inner => outer * inner)).ToArray();
        }

        return c.Constant(Filled(c.Graph.ElementTypeOf(dy), output.Skip(2).ToArray(), counts));
    }

    /// <summary>A tensor of the given floating-point type holding <paramref name="values"/>.</summary>
    public static TensorProto Filled(DataType type, long[] dims, double[] values) => type == DataType.Double
        ? TensorData.Double("", dims, values)
        : TensorData.Float("", dims, values.Select(v => (float)v).ToArray());

    private static long[] StaticDims(GradientContext c, string value) =>
        c.StaticShape(value) is { } s && s.All(d => d.IsFixed) ? s.Select(d => d.Value!.Value).ToArray()
        : c.StaticShape(value) is { } partial && partial.Skip(1).All(d => d.IsFixed) ? [0, .. partial.Skip(1).Select(d => d.Value!.Value)]
        : throw c.Unsupported($"'{value}' needs static channel and spatial sizes");

    /// <summary>[N, groups·k, S…] → [N, groups, k, S…] → permuted (first three axes) → flattened back to rank 2 + spatial.</summary>
    private static string Grouped(GradientContext c, string value, long[] dims, long groups, long[] perm, long[] head)
    {
        var spatial = dims.Skip(2).ToArray();
        var split = c.Op("Reshape", [value, c.Int64s([0, groups, dims[1] / groups, .. spatial])]);
        var moved = c.Op("Transpose", [split], Attr.Ints("perm", [.. perm, .. Enumerable.Range(3, spatial.Length).Select(i => (long)i)]));
        return c.Op("Reshape", [moved, c.Int64s([.. head, .. spatial])]);
    }
}
