using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>The loss compositions against finite differences (to second order) and closed forms.</summary>
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
}
