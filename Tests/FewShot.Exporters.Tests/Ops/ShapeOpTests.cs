using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Ops;

/// <summary>Reshape, Flatten and Transpose move values without changing them.</summary>
public sealed class ShapeOpTests
{
    [Fact]
    public void ReshapeKeepsRowMajorOrderAndInfersMinusOne()
    {
        var x = Nd.Random(new Random(7), 2, 3, 4);

        var expected = new Nd([4, 6], x.Data);
        var actual = OpHarness.Run("Reshape", expected.Shape, (g, i) => g.Op("Reshape", [i[0], g.Int64s(4, -1)]), x);

        OpHarness.AssertClose(expected, actual, 0);
    }

    [Theory]
    [InlineData(1, 2, 60)]
    [InlineData(2, 6, 20)]
    [InlineData(0, 1, 120)]
    public void FlattenSplitsAtTheAxis(int axis, int rows, int cols)
    {
        var x = Nd.Random(new Random(8), 2, 3, 4, 5);

        var expected = new Nd([rows, cols], x.Data);
        var actual = OpHarness.Run("Flatten", expected.Shape, (g, i) => g.Op("Flatten", [i[0]], Attr.Int("axis", axis)), x);

        OpHarness.AssertClose(expected, actual, 0);
    }

    [Theory]
    [InlineData(new[] { 1, 0, 2 })]
    [InlineData(new[] { 2, 0, 1 })]
    [InlineData(new[] { 0, 2, 1 })]
    public void TransposePermutesAxes(int[] perm)
    {
        var x = Nd.Random(new Random(9), 2, 3, 4);

        var expected = Reference.Transpose(x, perm);
        var actual = OpHarness.Run("Transpose", expected.Shape, (g, i) => g.Op("Transpose", [i[0]],
            Attr.Ints("perm", perm.Select(p => (long)p).ToArray())), x);

        OpHarness.AssertClose(expected, actual, 0);
    }
}
