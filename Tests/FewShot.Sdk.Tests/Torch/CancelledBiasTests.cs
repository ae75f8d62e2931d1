using FewShot.Exporters.Graphs;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Torch.Models;
using FewShot.Sdk.Training;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// A convolution bias followed by a normalization that subtracts each channel's own mean (batch, instance) cancels
/// exactly, so both lowerings of conv4 leave it out of the convolution (FeatureNormalizations.CancelsChannelOffsets):
/// the outputs are those of the network with the bias (checked against a plain TorchSharp conv4 that adds it), the
/// bias's gradient is exactly zero in both lowerings, and group norm, where a per-channel bias does not cancel, keeps it.
/// </summary>
public sealed class CancelledBiasTests
{
    public static TheoryData<string> Cancelling => new() { "conv4-batch", "conv4-instance", "strided-conv4-batch" };

    [Fact]
    public void OnlyPerChannelMeansCancelABias()
    {
        Assert.True(FeatureNormalization.Batch.CancelsChannelOffsets(64));
        Assert.True(FeatureNormalization.Instance.CancelsChannelOffsets(64));
        Assert.False(FeatureNormalization.Group.CancelsChannelOffsets(64));
        Assert.False(FeatureNormalization.Layer.CancelsChannelOffsets(64));
    }

    [Theory]
    [MemberData(nameof(Cancelling))]
    public void TheForwardIsTheNetworkWithItsBiases(string name)
    {
        var (algorithm, values, task) = Setup(name);
        using var scope = torch.NewDisposeScope();
        var parameters = ParityTasks.Leaves(algorithm.MetaParameters, values);
        var x = new TorchTask(task).QueryX;

        var lowered = TorchModels.Lower(algorithm.Model).Forward(parameters, x);
        var withBiases = ForwardWithBiases((Conv4)algorithm.Model, parameters, x);

        ParityAssert.AllClose([ParityTasks.Values(lowered)], [ParityTasks.Values(withBiases)], ["output"], $"{name} forward");
    }

    [Theory]
    [MemberData(nameof(Cancelling))]
    public void TheBiasGradientIsExactlyZeroInBothLowerings(string name)
    {
        var (algorithm, values, task) = Setup(name);
        var onnx = OnnxReference.Run(algorithm.BuildMetaStep(), algorithm.MetaParameters, values, task);
        using var scope = torch.NewDisposeScope();
        var step = TorchLearners.Create(algorithm).MetaStep(ParityTasks.Leaves(algorithm.MetaParameters, values), new TorchTask(task));

        var biases = algorithm.MetaParameters.Select((p, i) => (p.Name, i)).Where(p => IsConvBias(p.Name)).ToArray();
        Assert.Equal(4, biases.Length);
        foreach (var (bias, i) in biases)
        {
            Assert.All(onnx[GraphNames.Gradient(bias)], g => Assert.Equal(0f, g));
            Assert.All(ParityTasks.Values(step.Gradients[i]), g => Assert.Equal(0f, g));
        }
    }

    [Fact]
    public void GroupNormKeepsTheBias()
    {
        var (algorithm, values, task) = Setup("conv4-group");
        var before = OnnxReference.Run(algorithm.BuildPredict(), algorithm.MetaParameters, values, task, taskQueryAsX: true)[GraphNames.Output];
        var bias = algorithm.MetaParameters.Select(p => p.Name).ToList().IndexOf("conv1.bias");
        values[bias] = values[bias].Select((v, c) => v + c).ToArray();

        var after = OnnxReference.Run(algorithm.BuildPredict(), algorithm.MetaParameters, values, task, taskQueryAsX: true)[GraphNames.Output];

        Assert.True(ParityAssert.RelativeError(after, before) > 1e-3, "conv1's bias must move group norm's output");
    }

    /// <summary>The parity tests' model, learner and task (ModelParityTests.Setup), with conv biases far from zero, so that a lowering that dropped one without it cancelling would show.</summary>
    private static (GradientLearner Algorithm, float[][] Values, TaskData Task) Setup(string name)
    {
        var (algorithm, values, task) = ModelParityTests.Setup(name);
        foreach (var i in Enumerable.Range(0, values.Length).Where(i => IsConvBias(algorithm.MetaParameters[i].Name)))
        {
            values[i] = values[i].Select((_, c) => 0.5f + (0.25f * c)).ToArray();
        }

        return (algorithm, values, task);
    }

    private static bool IsConvBias(string name) => name.StartsWith("conv", StringComparison.Ordinal) && name.EndsWith(".bias", StringComparison.Ordinal);

    /// <summary>conv4 as PyTorch users write it: the bias added by the convolution, then the normalization.</summary>
    private static torch.Tensor ForwardWithBiases(Conv4 model, IReadOnlyList<torch.Tensor> p, torch.Tensor x)
    {
        var stride = model.Downsampling == Conv4Downsampling.Stride;
        for (var block = 0; block < 4; block++)
        {
            var (w, b, scale, shift) = (p[4 * block], p[(4 * block) + 1], p[(4 * block) + 2], p[(4 * block) + 3]);
            x = conv2d(x, w, b, strides: stride ? [2, 2] : [1, 1], padding: [1, 1]);
            x = model.Normalization == FeatureNormalization.Batch
                ? batch_norm(x, null, null, scale, shift, training: true, eps: Layers.BatchNormEpsilon)
                : group_norm(x, model.Channels, scale, shift, Layers.BatchNormEpsilon);
            x = stride ? relu(x) : relu(max_pool2d(x, 2, 2));
        }

        x = stride ? x.mean([2L, 3L]) : x.flatten(1);
        return linear(x, p[16], p[17]);
    }
}
