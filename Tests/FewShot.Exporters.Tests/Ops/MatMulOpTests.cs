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

        var actual = OpHarness.Run("MatMul", (g, x) => g.Op("MatMul", [x[0], x[1]]), a, b);

        OpHarness.AssertClose(Reference.MatMul2D(a, b), actual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatMulBatchesAndBroadcastsTheRightOperand(bool sharedRight)
    {
        var random = new Random(3);
        var a = Nd.Random(random, 4, 3, 6);
        var b = sharedRight ? Nd.Random(random, 6, 2) : Nd.Random(random, 4, 6, 2);

        var actual = OpHarness.Run("batched MatMul", (g, x) => g.Op("MatMul", [x[0], x[1]]), a, b);

        OpHarness.AssertClose(Reference.BatchedMatMul(a, b), actual);
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

        var actual = OpHarness.Run("Gemm", (g, x) => g.Op("Gemm", [x[0], x[1], x[2]],
            Attr.Int("transA", transA ? 1 : 0), Attr.Int("transB", transB ? 1 : 0), Attr.Float("alpha", alpha), Attr.Float("beta", beta)), a, b, c);

        var product = Reference.MatMul2D(a, b, transA, transB, alpha);
        OpHarness.AssertClose(Reference.Broadcast(product, c, (p, bias) => p + (beta * bias)), actual);
    }
}
