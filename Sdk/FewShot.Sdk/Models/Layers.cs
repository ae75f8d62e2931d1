using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>The layers the models are made of, emitted as standard ONNX operators that the autodiff differentiates.</summary>
public static class Layers
{
    /// <summary>Normalization epsilon, PyTorch's default (batch and group norm alike).</summary>
    public const float BatchNormEpsilon = 1e-5f;

    /// <summary>
    /// A normalization layer over [N, C, H, W] with per-channel <paramref name="scale"/> and <paramref name="bias"/>:
    /// batch statistics (<see cref="FeatureNormalization.Batch"/>, and a support pass of <see cref="FeatureNormalization.Support"/>)
    /// or per-example group statistics, ε = <see cref="BatchNormEpsilon"/>.
    /// </summary>
    public static string Normalize(GraphBuilder g, string x, string scale, string bias, FeatureNormalization mode, int channels) =>
        mode.Groups(channels) is { } groups
            ? Normalization.GroupNorm(g, x, scale, bias, groups, BatchNormEpsilon)
            : Normalization.BatchNormTraining(g, x, scale, bias, BatchNormEpsilon);

    /// <summary>
    /// The per-channel mean and biased variance of [N, C, H, W] over the batch and the positions, each [C]: the statistics
    /// that batch normalization divides by (<see cref="Normalization.BatchNormTraining"/>).
    /// </summary>
    public static (string Mean, string Variance) ChannelStatistics(GraphBuilder g, string x)
    {
        var axes = Attr.Ints("axes", 0, 2, 3);
        var mean = g.Op("ReduceMean", [x], axes, Attr.Int("keepdims", 1));
        var centered = g.Op("Sub", [x, mean]);
        var variance = g.Op("ReduceMean", [g.Op("Mul", [centered, centered])], axes, Attr.Int("keepdims", 1));
        var flat = g.Int64s(-1);
        return (g.Op("Reshape", [mean, flat]), g.Op("Reshape", [variance, flat]));
    }

    /// <summary>
    /// Normalizes [N, C, H, W] with given per-channel statistics [C] (<see cref="ChannelStatistics"/> of the support),
    /// then scales and shifts: the factor scale / √(variance + ε) and the offset shift − mean · factor are computed on the
    /// [C] tensors, so one multiply and one add touch the activations. Every example by itself: inductive.
    /// </summary>
    public static string NormalizeWith(GraphBuilder g, string x, string scale, string shift, string mean, string variance)
    {
        var (factor, offset) = FactorAndOffset(g, scale, shift, mean, variance);
        var perChannel = g.Int64s(1, 2);
        return g.Op("Add", [g.Op("Mul", [x, g.Op("Unsqueeze", [factor, perChannel])]), g.Op("Unsqueeze", [offset, perChannel])]);
    }

    /// <summary>
    /// The per-channel mean and biased variance [O] over the batch and positions of a bias-free convolution's output
    /// (what <see cref="ChannelStatistics"/> of that output gives), without computing the output: a convolution is linear
    /// in its input's patches, so they are w·m and w·Σ·wᵀ, where m and Σ are the mean and covariance of the patches
    /// (kernel² · input channels values each). With <see cref="ConvNormalizedWithMaxPooled"/>, a convolution followed by batch
    /// normalization with the batch's statistics (<see cref="Normalization.BatchNormTraining"/>) in which no pass over
    /// the convolution's output computes or applies them.
    /// </summary>
    /// <remarks>
    /// Worth it where the input has few channels, as conv4's first layer on images does (9 patch values against 64
    /// output channels): the statistics come from a [9, 9] covariance instead of the 25 × 64 × 28 × 28 activations of a MAML
    /// step, and the gradient reaches the weights, scale and shift through those small tensors, so batch norm's forward
    /// and backward passes over the activations are gone. The same function as the convolution followed by batch norm,
    /// to rounding.
    /// </remarks>
    /// <param name="g">The graph to append to.</param>
    /// <param name="x">Input [N, C, H, W] with static C, H and W.</param>
    /// <param name="weight">Convolution weights [O, C, k, k].</param>
    /// <param name="inputShape">One example's shape [C, H, W].</param>
    /// <param name="kernel">The kernel's size k.</param>
    /// <param name="pad">Zero padding on every side.</param>
    /// <param name="stride">The stride on both axes.</param>
    public static (string Mean, string Variance) ConvChannelStatistics(
        GraphBuilder g, string x, string weight, IReadOnlyList<long> inputShape, long kernel, long pad, long stride = 1)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(inputShape);
        var (patches, patchSize, positions) = Patches(g, x, inputShape, kernel, pad, stride);
        var patchMean = g.Op("ReduceMean", [patches], Attr.Ints("axes", 0, 2), Attr.Int("keepdims", 1));
        var centered = g.Op("Sub", [patches, patchMean]);
        var products = g.Op("MatMul", [centered, g.Op("Transpose", [centered], Attr.Ints("perm", 0, 2, 1))]);
        var covariance = g.Op("Div", [g.Op("ReduceMean", [products], Attr.Ints("axes", 0), Attr.Int("keepdims", 0)), g.Scalar(positions)]);
        var rows = PatchRows(g, weight, patchSize);
        var mean = g.Op("Reshape", [g.Op("MatMul", [rows, g.Op("Reshape", [patchMean, g.Int64s(patchSize, 1)])]), g.Int64s(-1)]);
        var variance = g.Op("ReduceSum", [g.Op("Mul", [g.Op("MatMul", [rows, covariance]), rows]), g.Int64s(1)], Attr.Int("keepdims", 0));
        return (mean, variance);
    }

    /// <summary>
    /// A convolution, per-example group normalization (<see cref="Normalization.GroupNorm"/>: instance, group or layer
    /// norm by the group count) and 2×2 max-pooling (<see cref="MaxPool2x2"/>), with the statistics taken from each
    /// example's input patches instead of the convolution's output, as <see cref="ConvChannelStatistics"/> takes a
    /// batch's: channel c's mean over one example's positions is w_c·m + b_c and its variance w_c·Σ·w_cᵀ, with m and Σ
    /// that example's patch mean and covariance; a group's variance is the mean of its channels' variances plus the
    /// spread of their means. The normalization is then an affine map per example and channel, z = y·a + d, and since
    /// a max commutes with a positive factor, it is applied after the pooling, on a quarter of the data: a channel whose
    /// scale is negative has its weights' sign flipped instead (y·a = (−y)·(−a)). No pass over the full-size
    /// activations computes or applies the normalization, forward or backward. The same function as <see cref="Conv"/>,
    /// <see cref="Normalize"/> and <see cref="MaxPool2x2"/>, to rounding; worth it where the input is narrow (k²·C at most O).
    /// </summary>
    /// <param name="g">The graph to append to.</param>
    /// <param name="x">Input [N, C, H, W] with static C, H and W.</param>
    /// <param name="weight">Convolution weights [O, C, k, k].</param>
    /// <param name="bias">The convolution's bias [O], or null.</param>
    /// <param name="scale">The normalization's per-channel scale [O].</param>
    /// <param name="shift">The normalization's per-channel shift [O].</param>
    /// <param name="groups">Normalization groups; O channels split evenly, each group's in a row.</param>
    /// <param name="inputShape">One example's shape [C, H, W].</param>
    /// <param name="kernel">The kernel's size k.</param>
    /// <param name="pad">Zero padding on every side.</param>
    public static string ConvGroupNormalizedMaxPooled(
        GraphBuilder g, string x, string weight, string? bias, string scale, string shift, int groups, IReadOnlyList<long> inputShape, long kernel, long pad)
    {
        ArgumentNullException.ThrowIfNull(g);
        var (patches, patchSize, positions) = Patches(g, x, inputShape, kernel, pad, stride: 1);
        var patchMean = g.Op("ReduceMean", [patches], Attr.Ints("axes", 2), Attr.Int("keepdims", 1));
        var centered = g.Op("Sub", [patches, patchMean]);
        var covariance = g.Op("Div", [g.Op("MatMul", [centered, g.Op("Transpose", [centered], Attr.Ints("perm", 0, 2, 1))]), g.Scalar(positions)]);
        var rows = PatchRows(g, weight, patchSize);

        // Per example and channel [N, G, O/G]: the mean over the positions, and the variance around it.
        var byGroup = g.Int64s(0, groups, -1);
        var inGroups = g.Int64s(groups, -1);
        var mean = g.Op("Reshape", [g.Op("MatMul", [rows, patchMean]), byGroup]);
        if (bias is not null)
        {
            mean = g.Op("Add", [mean, g.Op("Reshape", [bias, inGroups])]);
        }

        var within = g.Op("Reshape", [g.Op("ReduceSum", [g.Op("Mul", [g.Op("MatMul", [rows, covariance]), rows]), g.Int64s(2)], Attr.Int("keepdims", 0)), byGroup]);
        var groupMean = g.Op("ReduceMean", [mean], Attr.Ints("axes", 2), Attr.Int("keepdims", 1));
        var deviation = g.Op("Sub", [mean, groupMean]);
        var groupVariance = g.Op("ReduceMean", [g.Op("Add", [within, g.Op("Mul", [deviation, deviation])])], Attr.Ints("axes", 2), Attr.Int("keepdims", 1));

        // z = (y + b − group mean)·scale/σ + shift, with y the bias-free convolution; ±1 per channel (never 0, so that
        // the scale's gradient survives a zero scale) makes the factor on y non-negative. Sign's gradient is zero.
        var sign = g.Op("Sign", [g.Op("Add", [g.Op("Sign", [scale]), g.Scalar(0.5f)])]);
        var deviationScale = g.Op("Div", [g.Op("Reshape", [scale, inGroups]), g.Op("Sqrt", [g.Op("Add", [groupVariance, g.Scalar(BatchNormEpsilon)])])]);
        var moved = bias is null ? g.Op("Neg", [groupMean]) : g.Op("Sub", [g.Op("Reshape", [bias, inGroups]), groupMean]);
        var offset = g.Op("Add", [g.Op("Reshape", [shift, inGroups]), g.Op("Mul", [moved, deviationScale])]);
        var factor = g.Op("Mul", [deviationScale, g.Op("Reshape", [sign, inGroups])]);
        var perChannel = g.Int64s(0, -1, 1, 1);
        var pooled = MaxPool2x2(g, Conv(g, x, g.Op("Mul", [weight, g.Op("Unsqueeze", [sign, g.Int64s(1, 2, 3)])]), null, pad));
        return g.Op("Add", [g.Op("Mul", [pooled, g.Op("Reshape", [factor, perChannel])]), g.Op("Reshape", [offset, perChannel])]);
    }

    // The patches of a convolution's input, offset-major: [N, k²·C, positions], one strided slice of the padded input per kernel offset.
    private static (string Patches, long PatchSize, long Positions) Patches(GraphBuilder g, string x, IReadOnlyList<long> inputShape, long kernel, long pad, long stride)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2]);
        var (outHeight, outWidth) = (((height + (2 * pad) - kernel) / stride) + 1, ((width + (2 * pad) - kernel) / stride) + 1);
        var patchSize = kernel * kernel * channels;
        var padded = pad == 0 ? x : g.Op("Pad", [x, g.Int64s(0, 0, pad, pad, 0, 0, pad, pad)]);
        var offsets = new List<string>();
        for (var a = 0L; a < kernel; a++)
        {
            for (var b = 0L; b < kernel; b++)
            {
                offsets.Add(g.Op("Slice", [padded, g.Int64s(a, b), g.Int64s(a + ((outHeight - 1) * stride) + 1, b + ((outWidth - 1) * stride) + 1),
                    g.Int64s(2, 3), g.Int64s(stride, stride)]));
            }
        }

        return (g.Op("Reshape", [g.Op("Concat", [.. offsets], Attr.Int("axis", 1)), g.Int64s(0, patchSize, -1)]), patchSize, outHeight * outWidth);
    }

    // The weights [O, C, k, k] in the patches' order (offset, then channel): [O, k²·C].
    private static string PatchRows(GraphBuilder g, string weight, long patchSize) =>
        g.Op("Reshape", [g.Op("Transpose", [weight], Attr.Ints("perm", 0, 2, 3, 1)), g.Int64s(0, patchSize)]);

    /// <summary>
    /// A bias-free convolution, <see cref="NormalizeWith"/> given statistics [O] and <see cref="MaxPool2x2"/>, folded: one
    /// convolution with the weights times scale / √(variance + ε), pooled, plus the offset shift − mean · that factor
    /// (a max commutes with adding a constant, so the offset is added to a quarter of the data).
    /// </summary>
    public static string ConvNormalizedWithMaxPooled(GraphBuilder g, string x, string weight, string scale, string shift, string mean, string variance, long pad)
    {
        ArgumentNullException.ThrowIfNull(g);
        var (factor, offset) = FactorAndOffset(g, scale, shift, mean, variance);
        var pooled = MaxPool2x2(g, Conv(g, x, g.Op("Mul", [weight, g.Op("Unsqueeze", [factor, g.Int64s(1, 2, 3)])]), null, pad));
        return g.Op("Add", [pooled, g.Op("Unsqueeze", [offset, g.Int64s(1, 2)])]);
    }

    /// <summary>Normalization by given statistics as one affine map per channel: factor scale / √(variance + ε), offset shift − mean · factor.</summary>
    private static (string Factor, string Offset) FactorAndOffset(GraphBuilder g, string scale, string shift, string mean, string variance)
    {
        var factor = g.Op("Div", [scale, g.Op("Sqrt", [g.Op("Add", [variance, g.Scalar(BatchNormEpsilon)])])]);
        return (factor, g.Op("Sub", [shift, g.Op("Mul", [mean, factor])]));
    }

    /// <summary>PyTorch's Linear: x·Wᵀ + b, with W stored [out, in].</summary>
    public static string Linear(GraphBuilder g, string x, string weight, string bias) =>
        g.Op("Gemm", [x, weight, bias], Attr.Int("transB", 1));

    /// <summary>A 3×3 (or any square) convolution with zero padding of <paramref name="pad"/> on every side and <paramref name="stride"/>; no bias when <paramref name="bias"/> is null.</summary>
    public static string Conv(GraphBuilder g, string x, string weight, string? bias, long pad, long stride = 1)
    {
        string[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return stride == 1
            ? g.Op("Conv", inputs, Attr.Ints("pads", pad, pad, pad, pad))
            : g.Op("Conv", inputs, Attr.Ints("pads", pad, pad, pad, pad), Attr.Ints("strides", stride, stride));
    }

    /// <summary>
    /// True where <see cref="ConvBatchAsDepth"/> should stand for <see cref="Conv"/>: an output map of fewer positions
    /// than output channels, which ONNX Runtime's CPU convolution (MLAS) runs as one small product per image, each split
    /// over the intra-op threads, so that above one thread it waits on them once an image.
    /// </summary>
    public static bool TakesBatchAsDepth(long outputChannels, long outputHeight, long outputWidth) => outputChannels > outputHeight * outputWidth;

    /// <summary>
    /// A square convolution with zero padding of <paramref name="pad"/> and <paramref name="stride"/> (<see cref="Conv"/>)
    /// over [N, C, H, W], written as one 3-D convolution of [1, C, N, H, W] with the kernel one deep: the same values and
    /// gradients, as one product that ONNX Runtime's threads split by position. conv4's 7×7 layer on 75 images took 3.77 /
    /// 6.87 ms at one / two threads as 75 maps, 3.72 / 2.04 ms as depth (benchmarks/stacked-maps.sh). The autodiff writes
    /// its gradients as those of the 2-D convolution (its rule for such convolutions: a 3-D ConvTranspose is slower).
    /// </summary>
    public static string ConvBatchAsDepth(GraphBuilder g, string x, string weight, string? bias, long pad, long stride = 1)
    {
        ArgumentNullException.ThrowIfNull(g);
        var perm = Attr.Ints("perm", 1, 0, 2, 3);
        var first = g.Int64s(0);
        var depth = g.Op("Unsqueeze", [g.Op("Transpose", [x], perm), first]);
        var kernel = g.Op("Unsqueeze", [weight, g.Int64s(2)]);
        var y = g.Op("Conv", bias is null ? [depth, kernel] : [depth, kernel, bias], Attr.Ints("pads", 0, pad, pad, 0, pad, pad), Attr.Ints("strides", 1, stride, stride));
        return g.Op("Transpose", [g.Op("Squeeze", [y, first])], perm);
    }

    /// <summary>
    /// <paramref name="value"/> + 0·<paramref name="unused"/>: the same values, with <paramref name="unused"/> kept in
    /// the graph and its exact gradient, zero (a convolution bias that the normalization cancels, <see cref="FeatureNormalizations.CancelsChannelOffsets"/>).
    /// </summary>
    public static string WithZeroGradientTo(GraphBuilder g, string value, string unused) =>
        g.Op("Add", [value, g.Op("Mul", [unused, g.Scalar(0)])]);

    /// <summary>2×2 max pooling with stride 2 (floor: an odd edge row or column is dropped, as in PyTorch).</summary>
    public static string MaxPool2x2(GraphBuilder g, string x) =>
        g.Op("MaxPool", [x], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", 2, 2));

    /// <summary>The mean over the spatial positions of [N, C, H, W]: [N, C].</summary>
    public static string SpatialMean(GraphBuilder g, string x) => Flatten(g, g.Op("GlobalAveragePool", [x]));

    /// <summary>Rectified linear unit.</summary>
    public static string Relu(GraphBuilder g, string x) => g.Op("Relu", [x]);

    /// <summary>Flattens [N, ...] to [N, rest].</summary>
    public static string Flatten(GraphBuilder g, string x) => g.Op("Flatten", [x], Attr.Int("axis", 1));
}
