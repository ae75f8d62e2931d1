using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>The loss and normalization compositions against finite differences and closed forms.</summary>
public sealed class LossesTests
{
    [Fact]
    public void SoftmaxCrossEntropyWithIntegerLabels()
    {
        var check = new GradientCheck();
        var logits = check.Input("logits", [4, 3], declared: ["n", 3]);
        var labels = check.Indices("labels", [4], [2, 0, 1, 2], declared: ["n"]);
        check.Verify(Losses.SoftmaxCrossEntropy(check.Graph, logits, labels));
    }

    [Fact]
    public void SoftmaxCrossEntropyEqualsTheClosedForm()
    {
        var check = new GradientCheck();
        var logits = check.Input("logits", [2, 3]);
        var labels = check.Indices("labels", [2], [1, 2]);
        var loss = Losses.SoftmaxCrossEntropy(check.Graph, logits, labels);
        check.Graph.Output(loss, []);
        using var model = new OrtModel(check.Graph.ToModel());
        double[] z = [0.5, -1, 2, 0, 1, 3];
        var value = model.Run(new Dictionary<string, TestTensor>
        {
            [logits] = new(DataType.Double, [2, 3], z),
            [labels] = TestTensor.Integers(DataType.Int64, [2], [1, 2]),
        }, loss).Values[0];
        double Nll(int row, int label) => Math.Log(Enumerable.Range(0, 3).Sum(k => Math.Exp(z[(row * 3) + k]))) - z[(row * 3) + label];
        Assert.Equal((Nll(0, 1) + Nll(1, 2)) / 2, value, 12);
    }

    [Fact]
    public void MeanSquaredErrorWithBroadcastTarget()
    {
        var check = new GradientCheck();
        check.Verify(Losses.MeanSquaredError(check.Graph, check.Input("prediction", [3, 2]), check.Input("target", [2])));
    }

    [Fact]
    public void SquaredEuclideanDistanceMatrix()
    {
        var check = new GradientCheck();
        check.Verify(Losses.SquaredEuclideanDistances(check.Graph, check.Input("queries", [4, 3], declared: ["q", 3]), check.Input("prototypes", [2, 3])));
    }

    [Fact]
    public void BatchNormWithBatchStatistics()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [3, 2, 2, 2]);
        check.Verify(Normalization.BatchNormTraining(check.Graph, x, check.Input("scale", [2]), check.Input("bias", [2])));
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
