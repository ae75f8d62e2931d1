using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rules of MatMul (batched, numpy broadcasting, 1-D operands) and Gemm.</summary>
internal static class MatMulRules
{
    public static void Register(GradientRegistry r)
    {
        // 1-D operands are promoted to matrices as MatMul does; the engine then sums batch (and promoted) axes away.
        r.Register("MatMul", (c, n, dy) =>
        {
            var (a, b) = (n.Input[0], n.Input[1]);
            var (rankA, rankB) = (c.Rank(a), c.Rank(b));
            var a2 = rankA == 1 ? c.Op("Unsqueeze", [a, c.Int64s(0)]) : a;
            var b2 = rankB == 1 ? c.Op("Unsqueeze", [b, c.Int64s(1)]) : b;
            long[] promoted = [.. rankA == 1 ? new[] { -2L } : [], .. rankB == 1 ? new[] { -1L } : []];
            var dy2 = promoted.Length == 0 ? dy : c.Op("Unsqueeze", [dy, c.Int64s(promoted)]);
            var da = c.Op("MatMul", [dy2, Transposed(c, b2)]);
            var db = c.Op("MatMul", [Transposed(c, a2), dy2]);
            return [da, rankB == 1 ? c.Op("Squeeze", [db, c.Int64s(-1)]) : db];
        }, broadcasting: true);

        // Each input gradient is itself one Gemm: transposes become attributes and alpha carries over.
        r.Register("Gemm", (c, n, dy) =>
        {
            var (a, b) = (n.Input[0], n.Input[1]);
            var (ta, tb, alpha) = (n.Int("transA", 0), n.Int("transB", 0), Attr.Float("alpha", n.Float("alpha", 1f)));
            var da = ta == 0 ? c.Op("Gemm", [dy, b], alpha, Attr.Int("transB", 1 - tb)) : c.Op("Gemm", [b, dy], alpha, Attr.Int("transA", tb), Attr.Int("transB", 1));
            var db = tb == 0 ? c.Op("Gemm", [a, dy], alpha, Attr.Int("transA", 1 - ta)) : c.Op("Gemm", [dy, a], alpha, Attr.Int("transA", 1), Attr.Int("transB", ta));
            var beta = n.Float("beta", 1f);
            var dc = n.OptionalInput(2) is null ? null : beta == 1f ? dy : c.Op("Mul", [dy, c.Scalar(beta, dy)]);
            return [da, db, dc];
        }, broadcasting: true);
    }

    /// <summary>The operand with its last two axes swapped.</summary>
    private static string Transposed(GradientContext c, string value)
    {
        var rank = c.Rank(value);
        var perm = Enumerable.Range(0, rank).Select(i => (long)(i < rank - 2 ? i : 2 * rank - 3 - i)).ToArray();
        return c.Op("Transpose", [value], Attr.Ints("perm", perm));
    }
}
