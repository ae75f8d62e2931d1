using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Exporters.Tests.Autodiff.Harness;
using FewShot.Tests.Shared;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Graphs;

/// <summary>The input batch's pooled convolutions in slices: the same values, bit for bit, at every batch size.</summary>
public sealed class PooledConvolutionSlicesTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SlicedGraph_GivesTheSameBits_AtEveryBatchSize_IncludingBatchesSmallerThanTheSlices(bool biasAndStride)
    {
        ModelProto whole = FoldedBlockModel(alsoReadUnpooled: false, biasAndStride);
        ModelProto sliced = whole.Clone();

        Assert.Equal(1, PooledConvolutionSlices.Apply(sliced, "x"));

        OnnxChecker.AssertValid(OnnxModelFile.ToBytes(sliced), "the sliced model");
        Assert.Equal(PooledConvolutionSlices.Slices, sliced.Graph.Node.Count(n => n.OpType == "Conv" && n.Input[0] != "x" && !n.Input[0].StartsWith("Relu", StringComparison.Ordinal)));
        Assert.DoesNotContain(sliced.Graph.Node, n => n.OpType == "Conv" && n.Input[0] == "x");
        Assert.Equal(whole.Graph.Output.Select(o => o.Name), sliced.Graph.Output.Select(o => o.Name));
        using var before = new OrtModel(whole);
        using var after = new OrtModel(sliced);
        var random = new Random(5);
        foreach (int batch in new[] { 1, 2, 3, 4, 5, 7, 13 })
        {
            var x = TestTensor.Random(random, DataType.Float, [batch, 1, 8, 8]);
            var feed = new Dictionary<string, TestTensor> { ["x"] = x };

            Dictionary<string, TestTensor> expected = before.Run(feed, "y", "pooled");
            Dictionary<string, TestTensor> actual = after.Run(feed, "y", "pooled");

            Assert.Equal(expected["y"].Shape, actual["y"].Shape);
            Assert.Equal(expected["y"].Values, actual["y"].Values);
            Assert.Equal(expected["pooled"].Values, actual["pooled"].Values);
        }
    }

    [Fact]
    public void ConvolutionReadByMoreThanItsPooling_IsLeftWhole()
    {
        ModelProto model = FoldedBlockModel(alsoReadUnpooled: true);
        int nodes = model.Graph.Node.Count;

        Assert.Equal(0, PooledConvolutionSlices.Apply(model, "x"));
        Assert.Equal(nodes, model.Graph.Node.Count);
    }

    // A folded first block as conv4 writes it: x → Conv (a weight computed in the graph, no bias) → MaxPool → + offset →
    // ReLU → a second Conv of the pooled maps, not of x, which stays whole; the pooled map is also a graph output. With
    // biasAndStride, the first Conv also has a bias and strides of 2 (maps of 4×4, pooled to 2×2): every input and
    // attribute of the pair goes to each slice.
    private static ModelProto FoldedBlockModel(bool alsoReadUnpooled, bool biasAndStride = false)
    {
        var random = new Random(2);
        float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5))];
        var g = new GraphBuilder("folded");
        var x = g.Input("x", DataType.Float, "n", 1, 8, 8);
        var weight = g.Op("Mul", [g.Initializer(TensorData.Float("w", [4, 1, 3, 3], Values(36))), g.Initializer(TensorData.Float("s", [4, 1, 1, 1], Values(4)))]);
        var convolved = biasAndStride
            ? g.Op("Conv", [x, weight, g.Initializer(TensorData.Float("b", [4], Values(4)))], Attr.Ints("pads", 1, 1, 1, 1), Attr.Ints("strides", 2, 2))
            : g.Op("Conv", [x, weight], Attr.Ints("pads", 1, 1, 1, 1));
        long side = biasAndStride ? 2 : 4;
        var pooled = g.Op("MaxPool", [convolved], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", 2, 2));
        var shifted = g.Op("Relu", [g.Op("Add", [pooled, g.Initializer(TensorData.Float("offset", [4, 1, 1], Values(4)))])]);
        var second = g.Op("Conv", [shifted, g.Initializer(TensorData.Float("w2", [2, 4, 3, 3], Values(72)))], Attr.Ints("pads", 1, 1, 1, 1));
        var y = alsoReadUnpooled ? g.Op("Add", [second, g.Op("ReduceMean", [convolved], Attr.Ints("axes", 1, 2, 3))]) : second;
        g.Node("Identity", [y], ["y"]);
        g.Output("y", ["n", 2, side, side]);
        g.Node("Identity", [pooled], ["pooled"]);
        g.Output("pooled", ["n", 4, side, side]);
        return g.ToModel();
    }
}
