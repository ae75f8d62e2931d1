using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>The TorchSharp lowering of <see cref="Conv4"/>: parameters in <see cref="Conv4.Parameters"/> order (conv, bias, normalization scale and shift per block, then the head).</summary>
public sealed class TorchConv4 : ITorchHeadedModel, ITorchSupportNormalizedModel
{
    private const int Blocks = 4;
    private readonly Conv4 _model;

    /// <summary>Lowers <paramref name="model"/>.</summary>
    public TorchConv4(Conv4 model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        HeadIndices = model.HasHead ? [4 * Blocks, (4 * Blocks) + 1] : [];
    }

    /// <inheritdoc />
    public IFewShotModel Description => _model;

    /// <inheritdoc />
    public IReadOnlyList<int> HeadIndices { get; }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        var features = Features(parameters, x);
        return _model.HasHead ? Head(parameters, features) : features;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model normalizes by support statistics, which this overload does not take.</exception>
    public torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x) => Body(_model, parameters, x, 1);

    /// <inheritdoc />
    public torch.Tensor ForwardOnSupport(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        var features = FeaturesOnSupport(parameters, x);
        return _model.HasHead ? Head(parameters, features) : features;
    }

    /// <inheritdoc />
    public torch.Tensor FeaturesOnSupport(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        RequireSupportNormalization();
        return Body(_model, parameters, x, 1, support: true);
    }

    /// <inheritdoc />
    public torch.Tensor[] SupportStatisticsAt(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x)
    {
        RequireSupportNormalization();
        var recorded = new List<torch.Tensor>(2 * Blocks);
        Body(_model, parameters, x, 1, support: true, recorded: recorded);
        return [.. recorded];
    }

    /// <inheritdoc />
    public torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, IReadOnlyList<torch.Tensor> statistics, torch.Tensor x)
    {
        RequireSupportNormalization();
        ArgumentNullException.ThrowIfNull(statistics);
        if (statistics.Count != 2 * Blocks)
        {
            throw new ArgumentException($"conv4 takes a mean and a variance per block, {2 * Blocks} tensors; got {statistics.Count}", nameof(statistics));
        }

        var features = Body(_model, parameters, x, 1, statistics);
        return _model.HasHead ? Head(parameters, features) : features;
    }

    private void RequireSupportNormalization()
    {
        if (_model.Normalization != FeatureNormalization.Support)
        {
            throw new InvalidOperationException($"this conv4 normalizes by {_model.Normalization.Name()} statistics, not by the support's");
        }
    }

    /// <summary>
    /// conv4's four blocks over <paramref name="tasks"/> tasks side by side as channel groups: x [N, tasks·inputs, H, W],
    /// each block's tensors with the tasks' values stacked along their first axis (a weight [tasks·C, inputs, 3, 3]);
    /// returns [N, tasks·features], task-major. With one task, the single-task lowering. Support normalization takes
    /// <paramref name="statistics"/> ([tasks·C] each: a query pass), or the batch's own per channel, that is each task's
    /// (<paramref name="support"/>); with <paramref name="recorded"/>, a support pass adds them there and stops at the last
    /// block's (what it returns then is not the features).
    /// </summary>
    internal static torch.Tensor Body(
        Conv4 model, IReadOnlyList<torch.Tensor> parameters, torch.Tensor x, long tasks,
        IReadOnlyList<torch.Tensor>? statistics = null, bool support = false, IList<torch.Tensor>? recorded = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var supportNormalized = model.Normalization == FeatureNormalization.Support;
        if (supportNormalized && statistics is null && !support)
        {
            throw new InvalidOperationException(
                "conv4 with support normalization normalizes by the support statistics at the adapted parameters: use ForwardOnSupport for a support pass, and the overload that takes the statistics for the queries");
        }

        // As the ONNX lowering (Conv4.Features): a bias that the normalization cancels is left out of the convolution (libtorch
        // 2.10's oneDNN computes a convolution's bias gradient in a scalar loop: 3.2 of layer 1's 5.9 ms backward on 75 images).
        var cancels = model.Normalization.CancelsChannelOffsets(model.Channels);
        if (model.Downsampling == Conv4Downsampling.Stride)
        {
            for (var block = 0; block < Blocks; block++)
            {
                var p = 4 * block;
                x = TorchLayers.ConvDown(x, parameters[p], cancels ? null : parameters[p + 1], tasks);
                if (recorded is not null && block == Blocks - 1)
                {
                    Record(x);
                    return x;
                }

                x = TorchLayers.Relu(Normalize(x, block));
            }

            return TorchLayers.SpatialMean(x);
        }

        for (var block = 0; block < Blocks; block++)
        {
            var p = 4 * block;
            var bias = cancels ? null : parameters[p + 1];
            if (block == 0 && model.FoldsFirstNormalization && model.Normalization.Groups(model.Channels) is { } groups)
            {
                // As Conv4.Features: each example's statistics from its patches.
                x = TorchLayers.Relu(TorchLayers.ConvSameGroupNormalizedMaxPooled(x, parameters[p], bias, parameters[p + 2], Shift(parameters, p, cancels), groups, tasks));
                continue;
            }

            if (block == 0 && model.FoldsFirstNormalization)
            {
                // As Conv4.Features: the statistics a query pass is given, or the batch's from its patches (recorded by a statistics pass).
                var (mean, variance) = statistics is not null ? (statistics[0], statistics[1]) : TorchLayers.ConvSameChannelStatistics(x, parameters[p], tasks);
                if (recorded is not null)
                {
                    recorded.Add(mean);
                    recorded.Add(variance);
                }

                x = TorchLayers.Relu(TorchLayers.ConvSameNormalizedWithMaxPooled(x, parameters[p], parameters[p + 2], Shift(parameters, p, cancels), mean, variance, tasks));
                continue;
            }

            x = block == 0 && model.Normalization == FeatureNormalization.Batch
                ? TorchLayers.ConvSameChannelsLast(x, parameters[p], bias, tasks)
                : TorchLayers.ConvSame(x, parameters[p], bias, tasks);
            if (recorded is not null && block == Blocks - 1)
            {
                Record(x);
                return x;
            }

            x = Normalize(x, block);
            // Pooling first, as the ONNX lowering does (Conv4.Features says why it is the same): ReLU and its backward
            // mask then run on a quarter of the data.
            x = TorchLayers.Relu(TorchLayers.MaxPool2x2(x));
        }

        return TorchLayers.Flatten(x);

        torch.Tensor Normalize(torch.Tensor activations, int block)
        {
            var p = 4 * block;
            var shift = Shift(parameters, p, cancels);
            if (!supportNormalized)
            {
                return TorchLayers.Normalize(activations, parameters[p + 2], shift, model.Normalization, model.Channels, tasks);
            }

            if (!support)
            {
                return TorchLayers.NormalizeWith(activations, parameters[p + 2], shift, statistics![2 * block], statistics[(2 * block) + 1]);
            }

            if (recorded is null)
            {
                // An inner step's support pass: libtorch's fused batch norm, differentiable to second order.
                return TorchLayers.BatchNorm(activations, parameters[p + 2], shift);
            }

            // The statistics pass normalizes by the very statistics it records, composed as the queries' pass is.
            var (mean, variance) = Record(activations);
            return TorchLayers.NormalizeWith(activations, parameters[p + 2], shift, mean, variance);
        }

        (torch.Tensor Mean, torch.Tensor Variance) Record(torch.Tensor activations)
        {
            var (mean, variance) = TorchLayers.ChannelStatistics(activations);
            recorded!.Add(mean);
            recorded.Add(variance);
            return (mean, variance);
        }
    }

    /// <summary>Block p's normalization shift; plus 0·bias when the normalization cancels the convolution's bias.</summary>
    private static torch.Tensor Shift(IReadOnlyList<torch.Tensor> parameters, int p, bool cancels) =>
        cancels ? TorchLayers.WithZeroGradientTo(parameters[p + 3], parameters[p + 1]) : parameters[p + 3];

    /// <inheritdoc />
    public torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features)
    {
        if (!_model.HasHead)
        {
            throw new InvalidOperationException("this conv4 is an encoder with no head");
        }

        return TorchLayers.Linear(features, parameters[HeadIndices[0]], parameters[HeadIndices[1]]);
    }
}
