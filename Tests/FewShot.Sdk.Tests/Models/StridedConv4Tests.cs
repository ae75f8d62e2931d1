using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Tests.Models;

/// <summary>
/// The strided conv4 (MAML's Omniglot network): the same parameters as conv4, stride-2 convolutions and no pooling in
/// its graph, features averaged over the last map. Its values and gradients against TorchSharp are in ModelParityTests
/// and LearnerParityTests, its inductive predictions in InductivePredictionTests.
/// </summary>
public sealed class StridedConv4Tests
{
    [Fact]
    public void ItKeepsConvFoursParametersAndEndsWithOneFeaturePerChannel()
    {
        var pooled = new Conv4([1, 28, 28], 5, channels: 32);
        var strided = new Conv4([1, 28, 28], 5, channels: 32, downsampling: Conv4Downsampling.Stride);

        Assert.Equal(pooled.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))), strided.Parameters.Select(p => (p.Name, string.Join(",", p.Shape))));
        Assert.Equal(32, strided.FeatureSize);
        Assert.Equal("conv4-strided", strided.Name);
        Assert.Equal("conv4-strided-encoder", new Conv4([1, 28, 28], 0, downsampling: Conv4Downsampling.Stride).Name);
    }

    [Fact]
    public void ItsGraphConvolvesWithStrideTwoAndDoesNotPool()
    {
        var model = new Conv4([1, 28, 28], 5, channels: 8, downsampling: Conv4Downsampling.Stride);
        var graph = new GraphBuilder("strided");
        var x = graph.Input("x", DataType.Float, "n", 1, 28, 28);
        var parameters = model.Parameters.ToDictionary(p => p.Name, p => graph.Input(p.Name, DataType.Float, p.Shape.Select(d => (Dim)d).ToArray()));
        model.Forward(graph, x, parameters);

        var nodes = graph.Graph.Node;
        Assert.DoesNotContain(nodes, n => n.OpType == "MaxPool");
        var convolutions = nodes.Where(n => n.OpType == "Conv").ToList();
        Assert.Equal(4, convolutions.Count);
        Assert.All(convolutions, c => Assert.Equal([2L, 2L], c.Attribute.Single(a => a.Name == "strides").Ints));
    }

    [Fact]
    public void ImagesTooSmallToPoolFourTimesStillFitTheStridedNetwork()
    {
        Assert.Throws<ArgumentException>(() => new Conv4([1, 8, 8], 5));
        Assert.Equal(64, new Conv4([1, 8, 8], 5, downsampling: Conv4Downsampling.Stride).FeatureSize);
    }

    [Fact]
    public void AnUndefinedDownsamplingIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Conv4([1, 28, 28], 5, downsampling: (Conv4Downsampling)7));
}
