using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;

namespace FewShot.Exporters.Autodiff;

/// <summary>Output shapes of the matrix, convolution and pooling operators (opset 17 semantics).</summary>
internal static class SpatialShapes
{
    public delegate Dim[]? Broadcaster(IReadOnlyList<Dim>? a, IReadOnlyList<Dim>? b);

    public static Dim[]? MatMul(IReadOnlyList<Dim>? a, IReadOnlyList<Dim>? b, Broadcaster broadcast)
    {
        if (a is null || b is null || a.Count == 0 || b.Count == 0)
        {
            return null;
        }

        IReadOnlyList<Dim> a2 = a.Count == 1 ? [1, a[0]] : a, b2 = b.Count == 1 ? [b[0], 1] : b;
        var batch = broadcast(a2.Take(a2.Count - 2).ToArray(), b2.Take(b2.Count - 2).ToArray());
        if (batch is null)
        {
            return null;
        }

        var result = batch.ToList();
        if (a.Count > 1)
        {
            result.Add(a2[^2]);
        }

        if (b.Count > 1)
        {
            result.Add(b2[^1]);
        }

        return result.ToArray();
    }

    public static Dim[]? Gemm(NodeProto node, IReadOnlyList<Dim>? a, IReadOnlyList<Dim>? b) =>
        a is { Count: 2 } && b is { Count: 2 }
            ? [a[node.Int("transA", 0) == 0 ? 0 : 1], b[node.Int("transB", 0) == 0 ? 1 : 0]]
            : null;

    /// <summary>Conv, MaxPool and AveragePool: <paramref name="channels"/> output channels, one spatial size per window.</summary>
    public static Dim[]? Window(NodeProto node, IReadOnlyList<Dim>? x, Dim? channels, IReadOnlyList<Dim>? kernel, Func<Dim> fresh)
    {
        if (x is null || x.Count < 3 || kernel is null || channels is null)
        {
            return null;
        }

        var spatial = x.Count - 2;
        var strides = node.Ints("strides") ?? Ones(spatial);
        var dilations = node.Ints("dilations") ?? Ones(spatial);
        var pads = node.Ints("pads") ?? new long[2 * spatial];
        var autoPad = node.String("auto_pad", "NOTSET");
        var ceil = node.Int("ceil_mode", 0) == 1;
        var result = new Dim[x.Count];
        (result[0], result[1]) = (x[0], channels.Value);
        for (var i = 0; i < spatial; i++)
        {
            var (size, k) = (x[i + 2], kernel[i]);
            if (!size.IsFixed || !k.IsFixed)
            {
                // A symbolic size keeps its symbol where the window keeps the size (stride 1, padding that fills the
                // extent): the batch written as depth under a kernel one deep, say.
                var keeps = k.IsFixed && strides[i] == 1 && (autoPad is "SAME_UPPER" or "SAME_LOWER"
                    || (autoPad != "VALID" && pads[i] + pads[i + spatial] == (k.Value!.Value - 1) * dilations[i]));
                result[i + 2] = keeps ? size : fresh();
                continue;
            }

            var extent = ((k.Value!.Value - 1) * dilations[i]) + 1;
            var (input, stride) = (size.Value!.Value, strides[i]);
            result[i + 2] = autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => (input + stride - 1) / stride,
                "VALID" => ((input - extent) / stride) + 1,
                _ => Pooled(input, extent, stride, pads[i], pads[i + spatial], ceil),
            };
        }

        return result;
    }

    public static Dim[]? ConvTranspose(NodeProto node, IReadOnlyList<Dim>? x, IReadOnlyList<Dim>? w, Func<Dim> fresh)
    {
        if (x is null || w is null || x.Count < 3 || w.Count != x.Count)
        {
            return null;
        }

        var spatial = x.Count - 2;
        var kernel = node.Ints("kernel_shape")?.Select(k => (Dim)k).ToArray() ?? w.Skip(2).ToArray();
        var strides = node.Ints("strides") ?? Ones(spatial);
        var dilations = node.Ints("dilations") ?? Ones(spatial);
        var pads = node.Ints("pads") ?? new long[2 * spatial];
        var outputPadding = node.Ints("output_padding") ?? new long[spatial];
        var outputShape = node.Ints("output_shape");
        var group = node.Int("group", 1);
        var result = new Dim[x.Count];
        result[0] = x[0];
        result[1] = w[1].IsFixed ? w[1].Value!.Value * group : fresh();
        for (var i = 0; i < spatial; i++)
        {
            result[i + 2] = outputShape is not null ? outputShape[i]
                : !x[i + 2].IsFixed || !kernel[i].IsFixed ? fresh()
                : (strides[i] * (x[i + 2].Value!.Value - 1)) + outputPadding[i] + ((kernel[i].Value!.Value - 1) * dilations[i]) + 1 - pads[i] - pads[i + spatial];
        }

        return result;
    }

    public static Dim[]? GlobalPool(IReadOnlyList<Dim>? x) =>
        x is { Count: >= 3 } ? [x[0], x[1], .. Enumerable.Repeat((Dim)1, x.Count - 2)] : null;

    public static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();

    private static long Pooled(long input, long extent, long stride, long padBegin, long padEnd, bool ceil)
    {
        var span = input + padBegin + padEnd - extent;
        var count = (ceil ? (span + stride - 1) / stride : span / stride) + 1;

        // With ceil_mode a last window that would start inside the end padding is dropped (ONNX and PyTorch agree).
        return ceil && (count - 1) * stride >= input + padBegin ? count - 1 : count;
    }
}
