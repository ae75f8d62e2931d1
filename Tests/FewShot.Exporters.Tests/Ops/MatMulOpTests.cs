using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Ops;

/// <summary>MatMul (plain and batched) and Gemm with its transposes and scalings.</summary>
public sealed class MatMulOpTests
{
    [Fact]
    public void MatMulMultipliesMatrices()
    {
        var random = new Random(2);
        var a = Nd.Random(random, 5, 7);
        var b = Nd.Random(random, 7, 3);

        var expected = Reference.MatMul2D(a, b);
        var actual = OpHarness.Run("MatMul", expected.Shape, (g, x) => g.Op("MatMul", [x[0], x[1]]), a, b);

        OpHarness.AssertClose(expected, actual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatMulBatchesAndBroadcastsTheRightOperand(bool sharedRight)
    {
        var random = new Random(3);
        var a = Nd.Random(random, 4, 3, 6);
        var b = sharedRight ? Nd.Random(random, 6, 2) : Nd.Random(random, 4, 6, 2);

        var expected = Reference.BatchedMatMul(a, b);
        var actual = OpHarness.Run("batched MatMul", expected.Shape, (g, x) => g.Op("MatMul", [x[0], x[1]]), a, b);

        OpHarness.AssertClose(expected, actual);
    }

    [Theory]
    [InlineData(false, false, 1f, 1f)]
    [InlineData(true, false, 0.5f, 2f)]
    [InlineData(false, true, 1.5f, 0f)]
    [InlineData(true, true, -1f, 0.25f)]
    public void GemmHonoursTransposesAlphaAndBeta(bool transA, bool transB, float alpha, float beta)
    {
        var random = new Random(4);
        var a = transA ? Nd.Random(random, 6, 4) : Nd.Random(random, 4, 6);
        var b = transB ? Nd.Random(random, 3, 6) : Nd.Random(random, 6, 3);
        var c = Nd.Random(random, 3);

        var product = Reference.MatMul2D(a, b, transA, transB, alpha);
        var expected = Reference.Broadcast(product, c, (p, bias) => p + (beta * bias));
        var actual = OpHarness.Run("Gemm", expected.Shape, (g, x) => g.Op("Gemm", [x[0], x[1], x[2]],
            Attr.Int("transA", transA ? 1 : 0), Attr.Int("transB", transB ? 1 : 0), Attr.Float("alpha", alpha), Attr.Float("beta", beta)), a, b, c);

        OpHarness.AssertClose(expected, actual);
    }
}
