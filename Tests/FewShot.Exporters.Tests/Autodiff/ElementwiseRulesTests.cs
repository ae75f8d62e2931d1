using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>Elementwise rules against finite differences, in float64 where ORT's CPU provider has double kernels.</summary>
public sealed class ElementwiseRulesTests
{
    public static TheoryData<string, long[], long[]> BroadcastCases()
    {
        var data = new TheoryData<string, long[], long[]>();
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div" })
        {
            data.Add(op, [2, 3], [2, 3]);
            data.Add(op, [2, 3], [3]);
            data.Add(op, [4, 1, 3], [2, 1]);
            data.Add(op, [], [2, 3]);
            data.Add(op, [1, 3], [2, 1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void BinaryOpsSumBroadcastAxes(string op, long[] a, long[] b)
    {
        var check = new GradientCheck();
        var x = check.Input("a", a);
        var y = check.Input("b", b, op == "Div" ? ValueKind.Positive : ValueKind.Normal);
        check.Verify(check.Graph.Op(op, [x, y]));
    }

    [Theory]
    [InlineData("Neg", ValueKind.Normal)]
    [InlineData("Identity", ValueKind.Normal)]
    [InlineData("Sqrt", ValueKind.Positive)]
    [InlineData("Exp", ValueKind.Normal)]
    [InlineData("Log", ValueKind.Positive)]
    [InlineData("Abs", ValueKind.AwayFromZero)]
    [InlineData("Relu", ValueKind.AwayFromZero)]
    [InlineData("Sigmoid", ValueKind.Normal)]
    [InlineData("Tanh", ValueKind.Normal)]
    [InlineData("Reciprocal", ValueKind.Positive)]
    public void UnaryOpsInDouble(string op, ValueKind kind)
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op(op, [check.Input("x", [3, 4], kind)]));
    }

    [Theory]
    [InlineData("LeakyRelu", ValueKind.AwayFromZero)]
    [InlineData("Softplus", ValueKind.Normal)]
    public void FloatOnlyUnaryOps(string op, ValueKind kind)
    {
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [3, 4], kind);
        check.Verify(op == "LeakyRelu" ? check.Graph.Op(op, [x], Attr.Float("alpha", 0.2f)) : check.Graph.Op(op, [x]));
    }

    [Theory]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(-1.5)]
    [InlineData(0.5)]
    public void PowWithConstantExponent(double exponent)
    {
        var check = new GradientCheck();
        var x = check.Input("x", [2, 5], ValueKind.Positive);
        check.Verify(check.Graph.Op("Pow", [x, check.Graph.Scalar(exponent, DataType.Double)]));
    }

    [Fact]
    public void PowWithVariableExponentDifferentiatesBoth()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [2, 3], ValueKind.Positive);
        var p = check.Input("p", [3]);
        check.Verify(check.Graph.Op("Pow", [x, p]));
    }

    [Fact]
    public void WhereRoutesToTheChosenBranchAndBroadcasts()
    {
        var check = new GradientCheck();
        var condition = check.Graph.Op("Greater", [check.Constant("c", [2, 3]), check.Graph.Scalar(0, DataType.Double)]);
        check.Verify(check.Graph.Op("Where", [condition, check.Input("a", [2, 3]), check.Input("b", [3])]));
    }

    [Fact]
    public void SumOfThreeBroadcastOperands()
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("Sum", [check.Input("a", [2, 3]), check.Input("b", [1, 3]), check.Input("c", [2, 1])]));
    }

    [Fact]
    public void CastBetweenFloatTypes()
    {
        // The function passes through float32, so finite differences get float32's steps and tolerance.
        var check = new GradientCheck { Step = 1e-2, Tolerance = 5e-3 };
        var narrow = check.Graph.Op("Cast", [check.Input("x", [4])], Attr.Int("to", (long)DataType.Float));
        var square = check.Graph.Op("Mul", [narrow, narrow]);
        check.Verify(check.Graph.Op("Cast", [square], Attr.Int("to", (long)DataType.Double)));
    }

    [Fact]
    public void ValueUsedTwiceAccumulates()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [3]);
        check.Verify(check.Graph.Op("Mul", [check.Graph.Op("Exp", [x]), check.Graph.Op("Tanh", [x])]));
    }
}
