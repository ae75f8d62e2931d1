using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Ops;

/// <summary>Arithmetic with NumPy-style broadcasting and activations, against <see cref="Reference"/>.</summary>
public sealed class ElementwiseOpTests
{
    public static TheoryData<string, int[], int[]> BroadcastCases => new()
    {
        { "Add", [2, 3, 4], [2, 3, 4] },
        { "Add", [2, 3, 4], [4] },
        { "Sub", [2, 1, 4], [3, 1] },
        { "Mul", [1, 3, 1], [2, 1, 5] },
        { "Div", [5, 4], [1, 4] },
        { "Sub", [3], [2, 1, 3] },
    };

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void ArithmeticBroadcastsLikeNumPy(string op, int[] shapeA, int[] shapeB)
    {
        var random = new Random(op.Length * 31 + shapeA.Length);
        var a = Nd.Random(random, shapeA);
        var b = Nd.Random(random, shapeB);
        if (op == "Div")
        {
            b = Reference.Map(b, v => v >= 0 ? v + 0.5f : v - 0.5f);
        }

        Func<float, float, float> reference = op switch
        {
            "Add" => (x, y) => x + y,
            "Sub" => (x, y) => x - y,
            "Mul" => (x, y) => x * y,
            _ => (x, y) => x / y,
        };

        var expected = Reference.Broadcast(a, b, reference);
        var actual = OpHarness.Run($"{op} broadcast", expected.Shape, (g, x) => g.Op(op, [x[0], x[1]]), a, b);

        OpHarness.AssertClose(expected, actual);
    }

    [Fact]
    public void ReluZeroesNegatives()
    {
        var x = Nd.Random(new Random(1), 4, 7);

        var expected = Reference.Map(x, v => Math.Max(v, 0));
        var actual = OpHarness.Run("Relu", expected.Shape, (g, i) => g.Op("Relu", [i[0]]), x);

        OpHarness.AssertClose(expected, actual);
    }
}
