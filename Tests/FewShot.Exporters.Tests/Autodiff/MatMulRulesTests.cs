using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>MatMul (batched, broadcast, 1-D) and Gemm rules against finite differences in float64.</summary>
public sealed class MatMulRulesTests
{
    public static TheoryData<long[], long[]> MatMulShapes() => new()
    {
        { [3, 4], [4, 2] },
        { [2, 3, 4], [4, 5] },
        { [3, 4], [2, 4, 5] },
        { [2, 1, 3, 4], [3, 4, 2] },
        { [4], [4, 3] },
        { [2, 3, 4], [4] },
        { [4], [4] },
    };

    [Theory]
    [MemberData(nameof(MatMulShapes))]
    public void MatMulSumsBroadcastBatches(long[] a, long[] b)
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("MatMul", [check.Input("a", a), check.Input("b", b)]));
    }

    [Theory]
    [InlineData(0, 0, new long[] { 4 })]
    [InlineData(1, 0, new long[] { 1, 4 })]
    [InlineData(0, 1, new long[] { 3, 1 })]
    [InlineData(1, 1, new long[] { 3, 4 })]
    [InlineData(0, 0, new long[0])]
    public void GemmWithTransposesScalesAndBias(long transA, long transB, long[] biasShape)
    {
        var check = new GradientCheck();
        var a = check.Input("a", transA == 0 ? [3, 5] : [5, 3]);
        var b = check.Input("b", transB == 0 ? [5, 4] : [4, 5]);
        var c = check.Input("c", biasShape);
        check.Verify(check.Graph.Op("Gemm", [a, b, c],
            Attr.Int("transA", transA), Attr.Int("transB", transB), Attr.Float("alpha", 0.75f), Attr.Float("beta", 1.5f)));
    }

    [Fact]
    public void GemmWithoutBias()
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("Gemm", [check.Input("a", [2, 3]), check.Input("b", [4, 3])], Attr.Int("transB", 1)));
    }

    [Fact]
    public void MatMulWithSymbolicBatch()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [5, 3], declared: ["batch", 3]);
        var w = check.Input("w", [3, 2]);
        check.Verify(check.Graph.Op("MatMul", [x, w]));
    }
}
