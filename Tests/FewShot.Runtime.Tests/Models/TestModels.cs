namespace FewShot.Runtime.Tests.Models;

/// <summary>The small models the runtime's tests load.</summary>
internal static class TestModels
{
    /// <summary>c = op(a, b) for a two-input elementwise op (Add, And, ...), all of one type and shape.</summary>
    public static byte[] Binary(string opType, TensorElementType type, params Dim[] shape) =>
        new OnnxModelBuilder()
            .Input("a", type, shape)
            .Input("b", type, shape)
            .Output("c", type, shape)
            .Node(opType, ["a", "b"], ["c"])
            .Build();

    /// <summary>y = op(x) for a one-input op (Relu, Identity, ...).</summary>
    public static byte[] Unary(string opType, TensorElementType type, params Dim[] shape) =>
        new OnnxModelBuilder()
            .Input("x", type, shape)
            .Output("y", type, shape)
            .Node(opType, ["x"], ["y"])
            .Build();

    /// <summary>y = Relu(x · W) with x: float[batch, 2] and the initializer W = [[1, 2, 3], [-4, -5, -6]].</summary>
    public static byte[] MatMulRelu() =>
        new OnnxModelBuilder()
            .Input("x", TensorElementType.Float, "batch", 2)
            .Output("y", TensorElementType.Float, "batch", 3)
            .Initializer("W", [1, 2, 3, -4, -5, -6], 2, 3)
            .Node("MatMul", ["x", "W"], ["xw"])
            .Node("Relu", ["xw"], ["y"])
            .Build();

    /// <summary>Reference for <see cref="MatMulRelu"/>.</summary>
    public static float[] MatMulReluExpected(float[] x)
    {
        float[] w = [1, 2, 3, -4, -5, -6];
        int batch = x.Length / 2;
        var y = new float[batch * 3];
        for (int r = 0; r < batch; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                y[(r * 3) + c] = Math.Max(0, (x[r * 2] * w[c]) + (x[(r * 2) + 1] * w[3 + c]));
            }
        }

        return y;
    }

    /// <summary>sum = a + b and product = a * b, float[n]: a model with two outputs.</summary>
    public static byte[] SumAndProduct() =>
        new OnnxModelBuilder()
            .Input("a", TensorElementType.Float, "n")
            .Input("b", TensorElementType.Float, "n")
            .Output("sum", TensorElementType.Float, "n")
            .Output("product", TensorElementType.Float, "n")
            .Node("Add", ["a", "b"], ["sum"])
            .Node("Mul", ["a", "b"], ["product"])
            .Build();
}
