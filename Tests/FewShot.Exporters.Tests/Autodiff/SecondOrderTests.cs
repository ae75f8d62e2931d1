using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>
/// Whole networks to second order: <see cref="GradientCheck"/> compares their gradients with finite differences of the
/// loss and their Hessian-vector products (the gradient graph differentiated again) with finite differences of the gradients.
/// </summary>
public sealed class SecondOrderTests
{
    [Fact]
    public void MlpHessianVectorProducts()
    {
        var check = new GradientCheck();
        var x = check.Constant("x", [6, 4]);
        var hidden = check.Graph.Op("Tanh", [check.Graph.Op("Gemm", [x, check.Input("w1", [8, 4]), check.Input("b1", [8])], Attr.Int("transB", 1))]);
        var logits = check.Graph.Op("Add", [check.Graph.Op("MatMul", [hidden, check.Input("w2", [8, 3])]), check.Input("b2", [3])]);
        check.Verify(Losses.SoftmaxCrossEntropy(check.Graph, logits, check.Indices("labels", [6], [0, 1, 2, 2, 1, 0])));
    }

    /// <remarks>
    /// float32 (ORT has no double Conv). A step of 1e-3 keeps max-pool windows from switching their maximum between the
    /// two evaluations; the rounding error of the quotient, ≈ 6e-8·|L|/1e-3 ≲ 5e-4, stays well inside the tolerance.
    /// </remarks>
    [Fact]
    public void ConvNetHessianVectorProducts()
    {
        var check = new GradientCheck(DataType.Float) { Step = 1e-3 };
        var images = check.Constant("images", [3, 1, 6, 6]);
        var features = check.Graph.Op("Conv", [images, check.Input("w", [3, 1, 3, 3]), check.Input("b", [3])], Attr.Ints("pads", 1, 1, 1, 1));
        features = Normalization.BatchNormTraining(check.Graph, features, check.Input("scale", [3], ValueKind.Positive), check.Input("shift", [3]));
        features = check.Graph.Op("MaxPool", [check.Graph.Op("Tanh", [features])], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", 2, 2));
        var flat = check.Graph.Op("Flatten", [features], Attr.Int("axis", 1));
        var logits = check.Graph.Op("Gemm", [flat, check.Input("head", [2, 27]), check.Input("bias", [2])], Attr.Int("transB", 1));
        check.Verify(Losses.SoftmaxCrossEntropy(check.Graph, logits, check.Indices("labels", [3], [1, 0, 1])));
    }
}
