using FewShot.Sdk.Models;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// The first conv4 block's normalization folded into its convolution (statistics from the input patches' covariance:
/// the batch's for batch norm, each example's for instance, group and layer norm, whose affine map then follows the
/// max-pooling) is the same function as the convolution followed by the normalization (and the pooling): outputs, first and second derivatives equal in float64, one task or tasks
/// side by side as channel groups. The ONNX lowering's fold meets the TorchSharp one in ModelParityTests.
/// </summary>
public sealed class FoldedNormalizationTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 3)]
    public void TheFoldIsConvolutionThenBatchNorm(long groups, long inputChannels)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(3);
        var x = torch.rand([6, groups * inputChannels, 10, 9], dtype: torch.float64, generator: generator);
        var weight = (torch.randn([groups * 16, inputChannels, 3, 3], dtype: torch.float64, generator: generator) * 0.3).requires_grad_();
        var scale = (torch.rand([groups * 16], dtype: torch.float64, generator: generator) + 0.5).requires_grad_();
        var shift = torch.randn([groups * 16], dtype: torch.float64, generator: generator).requires_grad_();
        var direction = torch.randn([groups * 16, inputChannels, 3, 3], dtype: torch.float64, generator: generator);

        var (mean, variance) = TorchLayers.ConvSameChannelStatistics(x, weight, groups);
        var folded = TorchLayers.ConvSameNormalizedWithMaxPooled(x, weight, scale, shift, mean, variance, groups);
        var plain = TorchLayers.MaxPool2x2(TorchLayers.BatchNorm(TorchLayers.ConvSame(x, weight, null, groups), scale, shift));
        Assert.True(Relative(folded, plain) < 1e-12, $"outputs differ by {Relative(folded, plain):E2}");

        // First derivatives, and the second derivative along a direction (what second-order MAML differentiates).
        var foldedGradients = torch.autograd.grad([folded.pow(3).sum()], [weight, scale, shift], retain_graph: true, create_graph: true);
        var plainGradients = torch.autograd.grad([plain.pow(3).sum()], [weight, scale, shift], retain_graph: true, create_graph: true);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Relative(foldedGradients[i], plainGradients[i]) < 1e-10, $"gradient {i} differs by {Relative(foldedGradients[i], plainGradients[i]):E2}");
        }

        var foldedSecond = torch.autograd.grad([(foldedGradients[0] * direction).sum()], [weight])[0];
        var plainSecond = torch.autograd.grad([(plainGradients[0] * direction).sum()], [weight])[0];
        Assert.True(Relative(foldedSecond, plainSecond) < 1e-10, $"second derivative differs by {Relative(foldedSecond, plainSecond):E2}");
    }

    // Groups per task: 1 (layer norm), 2 (group norm, 8 channels each), 16 (instance norm); with and without the
    // convolution's bias (which the per-example group mean does not cancel unless every group is one channel).
    [Theory]
    [InlineData(1, 1, 2, true)]
    [InlineData(1, 1, 1, true)]
    [InlineData(1, 1, 16, false)]
    [InlineData(3, 1, 2, true)]
    [InlineData(1, 3, 2, false)]
    public void TheFoldIsConvolutionThenGroupNorm(long tasks, long inputChannels, long groups, bool withBias)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(5);
        var x = torch.rand([6, tasks * inputChannels, 10, 9], dtype: torch.float64, generator: generator);
        var weight = (torch.randn([tasks * 16, inputChannels, 3, 3], dtype: torch.float64, generator: generator) * 0.3).requires_grad_();
        var bias = withBias ? torch.randn([tasks * 16], dtype: torch.float64, generator: generator).requires_grad_() : null;
        // Scales of both signs: a negative one pools its channel with the weights' sign flipped.
        var scale = (torch.rand([tasks * 16], dtype: torch.float64, generator: generator) - 0.3).requires_grad_();
        var shift = torch.randn([tasks * 16], dtype: torch.float64, generator: generator).requires_grad_();
        var direction = torch.randn([tasks * 16, inputChannels, 3, 3], dtype: torch.float64, generator: generator);

        var folded = TorchLayers.ConvSameGroupNormalizedMaxPooled(x, weight, bias, scale, shift, groups, tasks);
        var plain = TorchLayers.MaxPool2x2(TorchLayers.GroupNorm(TorchLayers.ConvSame(x, weight, bias, tasks), scale, shift, groups * tasks));
        Assert.True(Relative(folded, plain) < 1e-12, $"outputs differ by {Relative(folded, plain):E2}");

        torch.Tensor[] wrt = bias is null ? [weight, scale, shift] : [weight, scale, shift, bias];
        var foldedGradients = torch.autograd.grad([folded.pow(3).sum()], wrt, retain_graph: true, create_graph: true);
        var plainGradients = torch.autograd.grad([plain.pow(3).sum()], wrt, retain_graph: true, create_graph: true);
        for (var i = 0; i < wrt.Length; i++)
        {
            Assert.True(Relative(foldedGradients[i], plainGradients[i]) < 1e-10, $"gradient {i} differs by {Relative(foldedGradients[i], plainGradients[i]):E2}");
        }

        var foldedSecond = torch.autograd.grad([(foldedGradients[0] * direction).sum()], [weight])[0];
        var plainSecond = torch.autograd.grad([(plainGradients[0] * direction).sum()], [weight])[0];
        Assert.True(Relative(foldedSecond, plainSecond) < 1e-10, $"second derivative differs by {Relative(foldedSecond, plainSecond):E2}");
    }

    [Fact]
    public void BothLoweringsFoldOnlyNarrowInputsUnderPooling()
    {
        Assert.True(new Conv4([1, 28, 28], 5, channels: 64, FeatureNormalization.Batch).FoldsFirstNormalization);
        Assert.True(new Conv4([3, 28, 28], 5, channels: 32, FeatureNormalization.Batch).FoldsFirstNormalization);
        Assert.True(new Conv4([1, 28, 28], 5, channels: 64, FeatureNormalization.Group).FoldsFirstNormalization);
        Assert.True(new Conv4([1, 28, 28], 5, channels: 16, FeatureNormalization.Instance).FoldsFirstNormalization);
        Assert.False(new Conv4([1, 28, 28], 5, channels: 8, FeatureNormalization.Batch).FoldsFirstNormalization);
        Assert.False(new Conv4([3, 28, 28], 5, channels: 16, FeatureNormalization.Group).FoldsFirstNormalization);
        Assert.False(new Conv4([1, 28, 28], 5, channels: 64, FeatureNormalization.Batch, Conv4Downsampling.Stride).FoldsFirstNormalization);
    }

    private static double Relative(torch.Tensor actual, torch.Tensor expected) =>
        (actual - expected).norm().item<double>() / expected.norm().item<double>();
}
