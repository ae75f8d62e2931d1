using FewShot.Sdk.Models;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace FewShot.Sdk.Torch.Models;

/// <summary>The TorchSharp counterparts of <see cref="Layers"/>, with the same semantics as their ONNX lowering.</summary>
internal static class TorchLayers
{
    private static readonly long[] Pad1 = [1, 1];
    private static readonly long[] Stride2 = [2, 2];

    // Scalars that live as long as the process, for operations at every layer: TorchSharp 0.107 hands libtorch a
    // temporary Scalar's handle without keeping it alive for the call (TorchSetup.NoBackgroundCollection), and a
    // collection from another thread finalized one mid-call in a full test run ("Unknown scalar type" in `x * 0`).
    private static readonly Scalar Zero = 0f;
    private static readonly Scalar Epsilon = (float)Layers.BatchNormEpsilon;
    private static readonly Scalar Half = 0.5f;

    /// <summary>x·Wᵀ + b with W stored [out, in] (ONNX Gemm with transB=1).</summary>
    public static torch.Tensor Linear(torch.Tensor x, torch.Tensor weight, torch.Tensor bias) => linear(x, weight, bias);

    /// <summary>
    /// Stride-1 convolution with one pixel of zero padding (conv4's 3×3 convolutions); with <paramref name="groups"/>
    /// above 1, that many independent convolutions side by side (tasks as channel groups, <see cref="TorchBatchedConv4"/>).
    /// </summary>
    public static torch.Tensor ConvSame(torch.Tensor x, torch.Tensor weight, torch.Tensor? bias, long groups = 1) =>
        conv2d(x, weight, bias, padding: Pad1, groups: groups);

    /// <summary>Stride-2 3×3 convolution with one pixel of padding (the autoencoder's encoder, and the strided conv4's blocks); groups as in <see cref="ConvSame"/>.</summary>
    public static torch.Tensor ConvDown(torch.Tensor x, torch.Tensor weight, torch.Tensor? bias, long groups = 1) =>
        conv2d(x, weight, bias, strides: Stride2, padding: Pad1, groups: groups);

    /// <summary>Stride-2 4×4 transposed convolution with one pixel of padding (the autoencoder's decoder).</summary>
    public static torch.Tensor ConvUp(torch.Tensor x, torch.Tensor weight, torch.Tensor bias) =>
        conv_transpose2d(x, weight, bias, strides: Stride2, padding: Pad1);

    /// <summary>
    /// Batch normalization with the statistics of the batch itself and no running statistics, as
    /// <see cref="Exporters.Autodiff.Normalization.BatchNormTraining"/> composes it: biased variance over every axis
    /// but the channel axis, ε = <see cref="Layers.BatchNormEpsilon"/>. libtorch's fused kernel is differentiable to
    /// second order, and the parity tests check it against the ONNX composition.
    /// </summary>
    public static torch.Tensor BatchNorm(torch.Tensor x, torch.Tensor scale, torch.Tensor bias) =>
        batch_norm(x, null, null, scale, bias, training: true, eps: Layers.BatchNormEpsilon);

    /// <summary>
    /// Per-example group normalization, as <see cref="Exporters.Autodiff.Normalization.GroupNorm"/> composes it: biased
    /// variance over each group's channels and positions, ε = <see cref="Layers.BatchNormEpsilon"/>, then the
    /// per-channel affine. libtorch's fused kernel (differentiable to any order) runs second-order MAML 1.4× faster
    /// than the same expression composed from primitives (conv4, 5-way 1-shot, 1 thread: 7.8–8.4 against 5.3–5.9
    /// tasks/s); it sums in another order than the ONNX composition, which the parity tests bound (1.2e-5 of MAML's
    /// head-bias meta-gradient, a tensor whose terms cancel, against 1.0e-5 for the composed form).
    /// </summary>
    public static torch.Tensor GroupNorm(torch.Tensor x, torch.Tensor scale, torch.Tensor bias, long groups) =>
        group_norm(x, groups, scale, bias, Layers.BatchNormEpsilon);

    /// <summary>
    /// The layer <see cref="Layers.Normalize"/> emits for <paramref name="mode"/>. With <paramref name="tasks"/> tasks
    /// side by side as channel groups (each <paramref name="channels"/> wide), every task keeps its own statistics:
    /// batch norm's are per channel already, and the per-example modes get that many times the groups.
    /// </summary>
    public static torch.Tensor Normalize(torch.Tensor x, torch.Tensor scale, torch.Tensor bias, FeatureNormalization mode, int channels, long tasks = 1) =>
        mode.Groups(channels) is { } groups ? GroupNorm(x, scale, bias, groups * tasks) : BatchNorm(x, scale, bias);

    /// <summary>The per-channel mean and biased variance of [N, C, H, W], each [C], as <see cref="Layers.ChannelStatistics"/> computes them.</summary>
    public static (torch.Tensor Mean, torch.Tensor Variance) ChannelStatistics(torch.Tensor x)
    {
        var mean = x.mean([0L, 2L, 3L], keepdim: true);
        var centered = x - mean;
        return (mean.flatten(), (centered * centered).mean([0L, 2L, 3L]));
    }

    /// <summary>Normalization by given per-channel statistics [C], composed as <see cref="Layers.NormalizeWith"/> composes it.</summary>
    public static torch.Tensor NormalizeWith(torch.Tensor x, torch.Tensor scale, torch.Tensor shift, torch.Tensor mean, torch.Tensor variance)
    {
        var (factor, offset) = FactorAndOffset(scale, shift, mean, variance);
        return (x * factor.view(1, -1, 1, 1)) + offset.view(1, -1, 1, 1);
    }

    /// <summary>Normalization by given statistics as one affine map per channel, as <see cref="Layers.NormalizeWith"/> computes it.</summary>
    private static (torch.Tensor Factor, torch.Tensor Offset) FactorAndOffset(torch.Tensor scale, torch.Tensor shift, torch.Tensor mean, torch.Tensor variance)
    {
        var factor = scale / (variance + Epsilon).sqrt();
        return (factor, shift - (mean * factor));
    }

    /// <summary><paramref name="value"/> + 0·<paramref name="unused"/>, as <see cref="Layers.WithZeroGradientTo"/>.</summary>
    public static torch.Tensor WithZeroGradientTo(torch.Tensor value, torch.Tensor unused) => value + (unused * Zero);

    /// <summary>2×2 max pooling with stride 2, odd edges dropped.</summary>
    public static torch.Tensor MaxPool2x2(torch.Tensor x) => max_pool2d(x, 2, 2);

    /// <summary>
    /// The same values in channels-last memory order (NHWC strides, NCHW shape). libtorch's 2×2 max pooling over NCHW
    /// is a scalar loop that took a quarter of a ProtoNets 60-way iteration; its channels-last kernel vectorizes over the
    /// channels, and oneDNN's convolutions and libtorch's batch normalization keep the layout. Group normalization does
    /// not gain from it (MAML 5-way 1-shot meta-training, 1 thread: 7.9–8.6 tasks/s channels-last against 7.8–8.4 in
    /// NCHW with the fused kernel; 4.7–4.9 against 5.6–6.1 composed from primitives), so callers use it with batch norm,
    /// and in the first block of the per-example modes once folded (<see cref="ConvSameGroupNormalizedMaxPooled"/>), where
    /// no group-norm kernel reads it and the max-pooling after the convolution is what gains.
    /// </summary>
    public static torch.Tensor ChannelsLast(torch.Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// <see cref="ConvSame"/> with its output in channels-last order (<see cref="ChannelsLast"/>). With one input channel
    /// the weight [O, 1, k, k] is viewed with channels-last strides, which address the same elements, and oneDNN then
    /// writes the output in that order itself; this saved the copy that converting the output costs, forward and
    /// backward (MAML 5-way 1-shot meta-training, 1 thread: 9.2–9.5 against 8.4–8.5 tasks/s; ProtoNets 60-way 1.73–1.86
    /// against 1.50–1.56 episodes/s). With more input channels, or a weight not laid out contiguously, the output is converted.
    /// </summary>
    public static torch.Tensor ConvSameChannelsLast(torch.Tensor x, torch.Tensor weight, torch.Tensor? bias, long groups = 1)
    {
        if (weight.shape[1] != 1 || !weight.is_contiguous())
        {
            return ChannelsLast(ConvSame(x, weight, bias, groups));
        }

        var (outputs, height, width) = (weight.shape[0], weight.shape[2], weight.shape[3]);
        // TorchSharp's as_strided starts at storage offset 0 unless told (PyTorch keeps the tensor's own): a weight that
        // is a view into a larger tensor (one task's slice of a stacked batch) must pass its offset.
        return ConvSame(x, weight.as_strided([outputs, 1, height, width], [height * width, 1, width, 1], weight.storage_offset()), bias, groups);
    }

    /// <summary>
    /// The per-channel mean and biased variance [O] of <see cref="ConvSame"/>'s bias-free output from the input patches'
    /// mean and covariance, as <see cref="Layers.ConvChannelStatistics"/> computes them; with <see cref="ConvSameNormalizedWithMaxPooled"/>,
    /// a convolution followed by <see cref="BatchNorm"/> with no pass over its output for the normalization. With
    /// <paramref name="groups"/> tasks side by side, each task's statistics come from its own patches.
    /// </summary>
    public static (torch.Tensor Mean, torch.Tensor Variance) ConvSameChannelStatistics(torch.Tensor x, torch.Tensor weight, long groups = 1)
    {
        var (count, positions) = (x.shape[0], x.shape[2] * x.shape[3]);
        var (outputs, patchSize) = (weight.shape[0], weight.shape[1] * weight.shape[2] * weight.shape[3]);
        var patches = unfold(x, 3, padding: 1).view(count, groups, patchSize, positions);
        var patchMean = patches.mean([0L, 3L], keepdim: true);
        var centered = patches - patchMean;
        var covariance = centered.matmul(centered.transpose(2, 3)).sum([0L]) * torch.tensor(1.0 / (count * positions), dtype: x.dtype);
        var rows = weight.reshape(groups, outputs / groups, patchSize);
        var mean = rows.matmul(patchMean.view(groups, patchSize, 1)).view(outputs);
        return (mean, (rows.matmul(covariance) * rows).sum([2L]).view(outputs));
    }

    /// <summary>
    /// <see cref="ConvSame"/>, <see cref="GroupNorm"/> with <paramref name="groups"/> groups per task and
    /// <see cref="MaxPool2x2"/>, folded as <see cref="Layers.ConvGroupNormalizedMaxPooled"/> folds them: each example's
    /// statistics from its input patches, the normalization an affine map per example and channel applied after the
    /// pooling, a negative scale's channel pooled with its weights' sign flipped. No pass over the full-size activations
    /// for the normalization, and no group-norm double backward in second-order MAML. With <paramref name="tasks"/>
    /// tasks side by side as channel groups, each task's weights meet its own input channels.
    /// </summary>
    public static torch.Tensor ConvSameGroupNormalizedMaxPooled(
        torch.Tensor x, torch.Tensor weight, torch.Tensor? bias, torch.Tensor scale, torch.Tensor shift, long groups, long tasks = 1)
    {
        var (count, positions) = (x.shape[0], x.shape[2] * x.shape[3]);
        var (outputs, patchSize) = (weight.shape[0], weight.shape[1] * weight.shape[2] * weight.shape[3]);
        var patches = unfold(x, 3, padding: 1).view(count, tasks, patchSize, positions);
        var patchMean = patches.mean([3L], keepdim: true);
        var centered = patches - patchMean;
        var covariance = centered.matmul(centered.transpose(2, 3)) * torch.tensor(1.0 / positions, dtype: x.dtype);
        var rows = weight.reshape(tasks, outputs / tasks, patchSize);

        // Per example, task and channel [N, T, G, O/(T·G)]: the mean over the positions, and the variance around it.
        long[] byGroup = [count, tasks, groups, -1];
        long[] inGroups = [tasks, groups, -1];
        var mean = rows.matmul(patchMean).view(byGroup);
        if (bias is not null)
        {
            mean = mean + bias.view(inGroups);
        }

        var within = (rows.matmul(covariance) * rows).sum([3L]).view(byGroup);
        var groupMean = mean.mean([3L], keepdim: true);
        var deviation = mean - groupMean;
        var groupVariance = (within + (deviation * deviation)).mean([3L], keepdim: true);

        // z = (y + b − group mean)·scale/σ + shift, as the ONNX lowering writes it: ±1 per channel (never 0) makes
        // the factor on y non-negative, so that it commutes with the max.
        var sign = (scale.detach().sign() + Half).sign();
        var deviationScale = scale.view(inGroups) / (groupVariance + Epsilon).sqrt();
        var moved = bias is null ? -groupMean : bias.view(inGroups) - groupMean;
        var offset = shift.view(inGroups) + (moved * deviationScale);
        var factor = deviationScale * sign.view(inGroups);
        var pooled = MaxPool2x2(ConvSameChannelsLast(x, weight * sign.view(-1, 1, 1, 1), null, tasks));
        return (pooled * factor.view(count, -1, 1, 1)) + offset.view(count, -1, 1, 1);
    }

    /// <summary>
    /// <see cref="ConvSameChannelsLast"/> without bias, <see cref="NormalizeWith"/> and <see cref="MaxPool2x2"/>, folded as
    /// <see cref="Layers.ConvNormalizedWithMaxPooled"/>: the factor in the weights, the offset added after the pooling
    /// (a max commutes with adding a constant), on a quarter of the data. Not passed as the convolution's bias: oneDNN
    /// sums a convolution's bias gradient in a scalar loop (see <see cref="TorchConv4"/>).
    /// </summary>
    public static torch.Tensor ConvSameNormalizedWithMaxPooled(
        torch.Tensor x, torch.Tensor weight, torch.Tensor scale, torch.Tensor shift, torch.Tensor mean, torch.Tensor variance, long groups = 1)
    {
        var (factor, offset) = FactorAndOffset(scale, shift, mean, variance);
        return MaxPool2x2(ConvSameChannelsLast(x, weight * factor.view(-1, 1, 1, 1), null, groups)) + offset.view(1, -1, 1, 1);
    }

    /// <summary>Rectified linear unit.</summary>
    public static torch.Tensor Relu(torch.Tensor x) => relu(x);

    /// <summary>[N, C, H, W] → [N, C], the mean over the positions (ONNX GlobalAveragePool then Flatten).</summary>
    public static torch.Tensor SpatialMean(torch.Tensor x) => x.mean([2L, 3L]);

    /// <summary>[N, …] → [N, rest].</summary>
    public static torch.Tensor Flatten(torch.Tensor x) => x.flatten(1);
}
