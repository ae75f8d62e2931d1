using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Ops;

/// <summary>Reshape, Flatten and Transpose move values without changing them.</summary>
public sealed class ShapeOpTests
{
    [Fact]
    public void ReshapeKeepsRowMajorOrderAndInfersMinusOne()
    {
        var x = Nd.Random(new Random(7), 2, 3, 4);

        var actual = OpHarness.Run("Reshape", (g, i) => g.Op("Reshape", [i[0], g.Int64s(4, -1)]), x);

        OpHarness.AssertClose(new Nd([4, 6], x.Data), actual, 0);
    }

    [Theory]
    [InlineData(1, 2, 60)]
    [InlineData(2, 6, 20)]
    [InlineData(0, 1, 120)]
    public void FlattenSplitsAtTheAxis(int axis, int rows, int cols)
    {
        var x = Nd.Random(new Random(8), 2, 3, 4, 5);

        var actual = OpHarness.Run("Flatten", (g, i) => g.Op("Flatten", [i[0]], Attr.Int("axis", axis)), x);

        OpHarness.AssertClose(new Nd([rows, cols], x.Data), actual, 0);
    }

    [Theory]
    [InlineData(new[] { 1, 0, 2 })]
    [InlineData(new[] { 2, 0, 1 })]
    [InlineData(new[] { 0, 2, 1 })]
    public void TransposePermutesAxes(int[] perm)
    {
        var x = Nd.Random(new Random(9), 2, 3, 4);

        var actual = OpHarness.Run("Transpose", (g, i) => g.Op("Transpose", [i[0]],
            Attr.Ints("perm", perm.Select(p => (long)p).ToArray())), x);

        OpHarness.AssertClose(Reference.Transpose(x, perm), actual, 0);
    }
}
