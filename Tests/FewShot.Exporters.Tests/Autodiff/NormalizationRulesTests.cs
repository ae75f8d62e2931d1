using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>
/// Normalization: the compositions with batch statistics and with per-example group statistics, and the rule for
/// given statistics, to second order in float64.
/// </summary>
public sealed class NormalizationRulesTests
{
    [Fact]
    public void BatchNormWithBatchStatistics()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [3, 2, 2, 2]);
        check.Verify(Normalization.BatchNormTraining(check.Graph, x, check.Input("scale", [2]), check.Input("bias", [2])));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void GroupNormWithPerExampleStatistics(int groups)
    {
        // 4 channels: one group is layer norm, four are instance norm; 3×3 maps, as conv4's last block sees.
        var check = new GradientCheck();
        var x = check.Input("x", [2, 4, 3, 3]);
        check.Verify(Normalization.GroupNorm(check.Graph, x, check.Input("scale", [4]), check.Input("bias", [4]), groups));
    }

    [Fact]
    public void BatchNormalizationWithGivenStatistics()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [3, 2, 3, 2]);
        check.Verify(check.Graph.Op("BatchNormalization",
            [x, check.Input("scale", [2]), check.Input("bias", [2]), check.Input("mean", [2]), check.Input("var", [2], ValueKind.Positive)],
            Attr.Float("epsilon", 1e-3f)));
    }

    [Fact]
    public void BatchNormalizationInTrainingModePointsToTheComposition()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, 2, 2, 2, 2);
        var parameters = Enumerable.Range(0, 4).Select(i => g.Input($"p{i}", DataType.Float, 2)).ToArray();
        var y = g.Op("BatchNormalization", [x, .. parameters], Attr.Int("training_mode", 1));
        var loss = g.Op("ReduceSum", [y], Attr.Int("keepdims", 0));

        var error = Assert.Throws<InvalidOperationException>(() => Gradients.Append(g, loss, [x]));
        Assert.Contains("Normalization.BatchNormTraining", error.Message);
    }
}
