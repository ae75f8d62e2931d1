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
        var factor = g.Op("Div", [scale, g.Op("Sqrt", [g.Op("Add", [variance, g.Scalar(BatchNormEpsilon)])])]);
        var offset = g.Op("Sub", [shift, g.Op("Mul", [mean, factor])]);
        var perChannel = g.Int64s(1, 2);
        return g.Op("Add", [g.Op("Mul", [x, g.Op("Unsqueeze", [factor, perChannel])]), g.Op("Unsqueeze", [offset, perChannel])]);
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
