using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>Reduction and softmax rules against finite differences in float64.</summary>
public sealed class ReductionRulesTests
{
    [Theory]
    [InlineData(new long[] { 1 }, 1)]
    [InlineData(new long[] { 0, 2 }, 0)]
    [InlineData(new long[] { -1 }, 0)]
    [InlineData(null, 0)]
    [InlineData(null, 1)]
    public void ReduceSum(long[]? axes, long keepdims)
    {
        var check = new GradientCheck();
        var x = check.Input("x", [2, 3, 4]);
        string[] inputs = axes is null ? [x] : [x, check.Graph.Int64s(axes)];
        check.Verify(check.Graph.Op("ReduceSum", inputs, Attr.Int("keepdims", keepdims)));
    }

    [Theory]
    [InlineData("ReduceMean", new long[] { 1 }, 1)]
    [InlineData("ReduceMean", new long[] { 0, 2 }, 0)]
    [InlineData("ReduceMean", null, 0)]
    [InlineData("ReduceMax", new long[] { 1 }, 1)]
    [InlineData("ReduceMax", new long[] { 0, 2 }, 0)]
    [InlineData("ReduceMax", null, 0)]
    public void AttributeAxisReductions(string op, long[]? axes, long keepdims)
    {
        var check = new GradientCheck();
        var x = check.Input("x", [2, 3, 4], op == "ReduceMax" ? ValueKind.Distinct : ValueKind.Normal);
        check.Verify(axes is null
            ? check.Graph.Op(op, [x], Attr.Int("keepdims", keepdims))
            : check.Graph.Op(op, [x], Attr.Ints("axes", axes), Attr.Int("keepdims", keepdims)));
    }

    [Fact]
    public void ReduceMeanOverASymbolicBatch()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [5, 3], declared: ["batch", 3]);
        check.Verify(check.Graph.Op("ReduceMean", [x], Attr.Ints("axes", 0), Attr.Int("keepdims", 0)));
    }

    [Theory]
    [InlineData("Softmax", -1)]
    [InlineData("Softmax", 0)]
    [InlineData("LogSoftmax", -1)]
    [InlineData("LogSoftmax", 1)]
    public void SoftmaxFamily(string op, long axis)
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op(op, [check.Input("x", [3, 4, 2])], Attr.Int("axis", axis)));
    }
}
