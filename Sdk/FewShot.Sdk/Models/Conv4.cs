using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// The standard few-shot backbone (Vinyals et al., used by MAML and ProtoNets): four blocks of
/// [3×3 conv, normalization, ReLU, 2×2 max-pool] and, unless it is an encoder, a linear head. The normalization is
/// per example by default (<see cref="FeatureNormalization"/>), or by the support set's statistics; the papers' batch statistics are an opt-in. Its
/// learned scale and shift keep the names bn1…bn4 in every mode. On 28×28 inputs the feature map ends 1×1, so the
/// features have <see cref="Channels"/> values. With <see cref="Conv4Downsampling.Stride"/> the blocks are MAML's
/// Omniglot ones instead (stride-2 convolutions, no pooling) and the features are the last map's spatial mean.
/// </summary>
public sealed class Conv4 : IHeadedModel, ISupportNormalizedModel
{
    private const int Blocks = 4;

    /// <summary>Creates the network.</summary>
    /// <param name="inputShape">One example's shape [channels, height, width], e.g. [1, 28, 28].</param>
    /// <param name="outputs">Classes of the linear head; 0 for an encoder with no head (ProtoNets).</param>
    /// <param name="channels">Channels of every conv layer (64 in the papers).</param>
    /// <param name="normalization">Where the normalization layers take their statistics (default: <see cref="FeatureNormalizations.Default"/>).</param>
    /// <param name="downsampling">How each block halves the feature map (default: max-pooling).</param>
    public Conv4(
        IReadOnlyList<long> inputShape, int outputs, int channels = 64, FeatureNormalization normalization = FeatureNormalizations.Default,
        Conv4Downsampling downsampling = Conv4Downsampling.MaxPool)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count != 3 || inputShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"conv4 needs an input shape [channels, height, width] of positive sizes, got [{string.Join(", ", inputShape)}]", nameof(inputShape));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(outputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        InputShape = inputShape.ToArray();
        Channels = channels;
        Normalization = Enum.IsDefined(normalization) ? normalization : throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "not a FeatureNormalization");
        Downsampling = Enum.IsDefined(downsampling) ? downsampling : throw new ArgumentOutOfRangeException(nameof(downsampling), downsampling, "not a Conv4Downsampling");
        if (downsampling == Conv4Downsampling.Stride)
        {
            // Stride-2 convolutions with padding 1 round up (28 → 14 → 7 → 4 → 2), and the spatial mean leaves the channels.
            FeatureSize = channels;
        }
        else
        {
            var height = inputShape[1];
            var width = inputShape[2];
            for (var i = 0; i < Blocks; i++)
            {
                height /= 2;
                width /= 2;
            }

            if (height == 0 || width == 0)
            {
                throw new ArgumentException($"conv4 halves the image four times; {inputShape[1]}×{inputShape[2]} is too small (at least 16×16)", nameof(inputShape));
            }

            FeatureSize = checked((int)(channels * height * width));
        }

        OutputSize = outputs == 0 ? FeatureSize : outputs;
        HasHead = outputs > 0;
        Parameters = CreateParameters(inputShape[0], channels, FeatureSize, outputs);
        SupportStatistics = normalization == FeatureNormalization.Support ? CreateSupportStatistics(channels) : [];
    }

    /// <summary>The adapted-state name of block <paramref name="block"/>'s (1 to 4) support mean.</summary>
    public static string SupportMean(int block) => $"bn{block}.support_mean";

    /// <summary>The adapted-state name of block <paramref name="block"/>'s (1 to 4) support variance (biased, as batch normalization divides by).</summary>
    public static string SupportVariance(int block) => $"bn{block}.support_var";

    /// <inheritdoc />
    public string Name => (Downsampling == Conv4Downsampling.Stride ? "conv4-strided" : "conv4") + (HasHead ? "" : "-encoder");

    /// <inheritdoc />
    public IReadOnlyList<long> InputShape { get; }

    /// <inheritdoc />
    public int OutputSize { get; }

    /// <summary>Channels of every conv layer.</summary>
    public int Channels { get; }

    /// <summary>Where the normalization layers take their statistics.</summary>
    public FeatureNormalization Normalization { get; }

    /// <summary>How each block halves the feature map.</summary>
    public Conv4Downsampling Downsampling { get; }

    /// <inheritdoc />
    public int FeatureSize { get; }

    /// <summary>
    /// True when both lowerings fold the first block's normalization into its convolution, its statistics taken from the
    /// input patches instead of the activations: batch or support statistics per channel over a batch
    /// (<see cref="Layers.ConvChannelStatistics"/>, from the patches or given), or per-example group statistics
    /// (<see cref="Layers.ConvGroupNormalizedMaxPooled"/>: instance, group and layer norm). Where the blocks max-pool and the input is
    /// narrow enough (channels × 9 patch values at most the convolution's channels, as a grayscale or RGB image under 64
    /// channels is) that its patches' covariance is cheaper than passes over the activations.
    /// </summary>
    public bool FoldsFirstNormalization => Downsampling == Conv4Downsampling.MaxPool && InputShape[0] * 9 <= Channels;

    /// <summary>
    /// True where the ONNX lowering writes a block's convolution, whose output maps are <paramref name="height"/> ×
    /// <paramref name="width"/>, as one 3-D convolution with the batch as depth (<see cref="Layers.ConvBatchAsDepth"/>):
    /// maps of fewer positions than channels, under batch or support normalization. Those bundles run each pass over the
    /// whole batch on all intra-op threads. A per-example normalization's bundle adapts and predicts in shares of one
    /// thread each (RuntimeOptions.AdaptationShares), where a first form of this (the maps stacked into one tall map)
    /// took 1.02–1.05 of the time (benchmarks/README.md, lever table).
    /// </summary>
    public bool TakesBatchAsDepth(long height, long width) => Normalization.Groups(Channels) is null && Layers.TakesBatchAsDepth(Channels, height, width);

    /// <summary>True when the network ends with a linear classification head.</summary>
    public bool HasHead { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> SupportStatistics { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> HeadParameterNames => HasHead ? ["head.weight", "head.bias"] : [];

    /// <inheritdoc />
    public string Forward(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        var features = Features(graph, input, parameters);
        return HasHead ? Head(graph, features, parameters) : features;
    }

    /// <inheritdoc />
    public string ForwardOnSupport(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        var features = FeaturesOnSupport(graph, input, parameters);
        return HasHead ? Head(graph, features, parameters) : features;
    }

    /// <inheritdoc />
    public string FeaturesOnSupport(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters) =>
        Features(graph, input, parameters, Pass.Support, RequireSupportNormalization());

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string> SupportStatisticsAt(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters)
    {
        var statistics = RequireSupportNormalization();
        Features(graph, input, parameters, Pass.Statistics, statistics);
        return statistics;
    }

    /// <inheritdoc />
    /// <remarks>With <see cref="FeatureNormalization.Support"/>, <paramref name="parameters"/> must hold the support statistics (<see cref="SupportStatistics"/>).</remarks>
    /// <exception cref="ArgumentException">Support normalization, and <paramref name="parameters"/> lacks the support statistics.</exception>
    public string Features(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters) => Features(graph, input, parameters, Pass.Query, null);

    private Dictionary<string, string> RequireSupportNormalization() => Normalization == FeatureNormalization.Support
        ? new Dictionary<string, string>(StringComparer.Ordinal)
        : throw new InvalidOperationException($"this conv4 normalizes by {Normalization.Name()} statistics; only support normalization has support passes");

    // Support normalization's passes: a query pass reads the statistics, a support pass takes the batch's, a statistics
    // pass records them in `recorded` and stops at the last one. The other modes have query passes alone.
    private enum Pass
    {
        Query,
        Support,
        Statistics,
    }

    private string Features(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters, Pass pass, Dictionary<string, string>? recorded)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(parameters);
        if (Normalization == FeatureNormalization.Support && pass == Pass.Query && SupportStatistics.FirstOrDefault(s => !parameters.ContainsKey(s.Name)) is { } missing)
        {
            throw new ArgumentException(
                $"conv4 with support normalization normalizes by the support statistics that adaptation computes, and '{missing.Name}' is not among the values given; "
                + "only the learners that adapt the whole network by gradient steps compute them", nameof(parameters));
        }

        var x = input;
        // A bias that the normalization cancels is left out of the convolution, its gradient stays exactly zero.
        var cancels = Normalization.CancelsChannelOffsets(Channels);
        string? Bias(int i) => cancels ? null : parameters[$"conv{i}.bias"];
        string Shift(int i) => cancels
            ? Layers.WithZeroGradientTo(graph, parameters[$"bn{i}.bias"], parameters[$"conv{i}.bias"])
            : parameters[$"bn{i}.bias"];

        if (Downsampling == Conv4Downsampling.Stride)
        {
            var (height, width) = (InputShape[1], InputShape[2]);
            for (var i = 1; i <= Blocks; i++)
            {
                // Each stride-2 block halves the map, rounding up (pad 1, 3×3 kernel).
                (height, width) = ((height + 1) / 2, (width + 1) / 2);
                x = TakesBatchAsDepth(height, width)
                    ? Layers.ConvBatchAsDepth(graph, x, parameters[$"conv{i}.weight"], Bias(i), pad: 1, stride: 2)
                    : Layers.Conv(graph, x, parameters[$"conv{i}.weight"], Bias(i), pad: 1, stride: 2);
                if (pass == Pass.Statistics && i == Blocks)
                {
                    Record(i, x);
                    return x;
                }

                x = Layers.Relu(graph, Normalize(i, x));
            }

            return Layers.SpatialMean(graph, x);
        }

        for (var i = 1; i <= Blocks; i++)
        {
            if (i == 1 && FoldsFirstNormalization)
            {
                x = Layers.Relu(graph, FoldedFirstBlock(x));
                continue;
            }

            x = TakesBatchAsDepth(InputShape[1] >> (i - 1), InputShape[2] >> (i - 1))
                ? Layers.ConvBatchAsDepth(graph, x, parameters[$"conv{i}.weight"], Bias(i), pad: 1)
                : Layers.Conv(graph, x, parameters[$"conv{i}.weight"], Bias(i), pad: 1);
            if (pass == Pass.Statistics && i == Blocks)
            {
                Record(i, x);
                return x;
            }

            x = Normalize(i, x);
            // Max-pooling first gives the same values and gradients (ReLU is monotone, and a window of all non-positive
            // values routes its gradient to a zero either way), and ReLU with its backward mask then runs on a quarter of the data.
            x = Layers.Relu(graph, Layers.MaxPool2x2(graph, x));
        }

        return Layers.Flatten(graph, x);

        string Normalize(int i, string activations)
        {
            if (Normalization != FeatureNormalization.Support)
            {
                return Layers.Normalize(graph, activations, parameters[$"bn{i}.weight"], Shift(i), Normalization, Channels);
            }

            if (pass == Pass.Query)
            {
                return Layers.NormalizeWith(graph, activations, parameters[$"bn{i}.weight"], Shift(i), parameters[SupportMean(i)], parameters[SupportVariance(i)]);
            }

            if (pass == Pass.Statistics)
            {
                // Normalized by the statistics it records (the same values as the batch norm below, written once).
                Record(i, activations);
                return Layers.NormalizeWith(graph, activations, parameters[$"bn{i}.weight"], Shift(i), recorded![SupportMean(i)], recorded[SupportVariance(i)]);
            }

            return Layers.Normalize(graph, activations, parameters[$"bn{i}.weight"], Shift(i), FeatureNormalization.Batch, Channels);
        }

        void Record(int i, string activations) => (recorded![SupportMean(i)], recorded[SupportVariance(i)]) = Layers.ChannelStatistics(graph, activations);

        // The first block's convolution, normalization and pooling with the normalization folded into the convolution:
        // each example's own statistics from its patches; or the statistics a query pass is given, or those of the batch
        // from its patches (recorded too by a statistics pass).
        string FoldedFirstBlock(string images)
        {
            var weight = parameters["conv1.weight"];
            if (Normalization.Groups(Channels) is { } groups)
            {
                return Layers.ConvGroupNormalizedMaxPooled(graph, images, weight, Bias(1), parameters["bn1.weight"], Shift(1), groups, InputShape, kernel: 3, pad: 1);
            }

            var (mean, variance) = Normalization == FeatureNormalization.Support && pass == Pass.Query
                ? (parameters[SupportMean(1)], parameters[SupportVariance(1)])
                : Layers.ConvChannelStatistics(graph, images, weight, InputShape, kernel: 3, pad: 1);
            if (pass == Pass.Statistics)
            {
                (recorded![SupportMean(1)], recorded[SupportVariance(1)]) = (mean, variance);
            }

            return Layers.ConvNormalizedWithMaxPooled(graph, images, weight, parameters["bn1.weight"], Shift(1), mean, variance, pad: 1);
        }
    }

    /// <inheritdoc />
    public string Head(GraphBuilder graph, string features, IReadOnlyDictionary<string, string> parameters) =>
        Layers.Linear(graph, features, parameters["head.weight"], parameters["head.bias"]);

    private static ParameterSpec[] CreateSupportStatistics(int channels) =>
    [
        .. Enumerable.Range(1, Blocks).SelectMany(i => new[]
        {
            new ParameterSpec(SupportMean(i), [channels], ParameterInit.Zeros),
            new ParameterSpec(SupportVariance(i), [channels], ParameterInit.Ones),
        }),
    ];

    private static ParameterSpec[] CreateParameters(long inputChannels, int channels, int featureSize, int outputs)
    {
        var list = new List<ParameterSpec>();
        var inChannels = inputChannels;
        for (var i = 1; i <= Blocks; i++)
        {
            var fanIn = inChannels * 9;
            list.Add(new ParameterSpec($"conv{i}.weight", [channels, inChannels, 3, 3], ParameterInit.UniformFanIn, fanIn));
            list.Add(new ParameterSpec($"conv{i}.bias", [channels], ParameterInit.UniformFanIn, fanIn));
            list.Add(new ParameterSpec($"bn{i}.weight", [channels], ParameterInit.Ones));
            list.Add(new ParameterSpec($"bn{i}.bias", [channels], ParameterInit.Zeros));
            inChannels = channels;
        }

        if (outputs > 0)
        {
            list.Add(new ParameterSpec("head.weight", [outputs, featureSize], ParameterInit.UniformFanIn, featureSize));
            list.Add(new ParameterSpec("head.bias", [outputs], ParameterInit.UniformFanIn, featureSize));
        }

        return list.ToArray();
    }
}
