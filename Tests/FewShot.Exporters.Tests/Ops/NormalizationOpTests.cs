using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Ops;

/// <summary>BatchNormalization, Softmax/LogSoftmax and ReduceMean.</summary>
public sealed class NormalizationOpTests
{
    [Fact]
    public void BatchNormalizationUsesTheGivenStatistics()
    {
        var random = new Random(5);
        var x = Nd.Random(random, 3, 4, 5, 5);
        var scale = Nd.Random(random, 4);
        var shift = Nd.Random(random, 4);
        var mean = Nd.Random(random, 4);
        var variance = Reference.Map(Nd.Random(random, 4), v => Math.Abs(v) + 0.1f);

        var expected = Reference.BatchNormInference(x, scale, shift, mean, variance, 1e-3f);
        var actual = OpHarness.Run("BatchNormalization", expected.Shape, (g, i) => g.Op("BatchNormalization", [i[0], i[1], i[2], i[3], i[4]],
            Attr.Float("epsilon", 1e-3f)), x, scale, shift, mean, variance);

        OpHarness.AssertClose(expected, actual, 1e-5f);
    }

    [Theory]
    [InlineData("Softmax")]
    [InlineData("LogSoftmax")]
    public void SoftmaxNormalizesTheLastAxis(string op)
    {
        var x = Reference.Map(Nd.Random(new Random(6), 6, 10), v => v * 8);

        var expected = Reference.Softmax(x, log: op == "LogSoftmax");
        var actual = OpHarness.Run(op, expected.Shape, (g, i) => g.Op(op, [i[0]], Attr.Int("axis", -1)), x);

        OpHarness.AssertClose(expected, actual, 1e-5f);
    }

    [Theory]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 1, 3 })]
    [InlineData(new[] { 0, 2, 3 })]
    public void ReduceMeanAveragesTheAxes(int[] axes)
    {
        var x = Nd.Random(new Random(axes.Sum()), 3, 4, 5, 2);

        var expected = Reference.ReduceMean(x, axes);
        var actual = OpHarness.Run("ReduceMean", expected.Shape, (g, i) => g.Op("ReduceMean", [i[0]],
            Attr.Ints("axes", axes.Select(a => (long)a).ToArray()), Attr.Int("keepdims", 1)), x);

        OpHarness.AssertClose(expected, actual);
    }
}
