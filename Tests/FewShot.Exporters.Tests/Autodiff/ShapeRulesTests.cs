using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>Rules of shape operators (no arithmetic) against finite differences in float64.</summary>
public sealed class ShapeRulesTests
{
    [Fact]
    public void Reshape()
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("Reshape", [check.Input("x", [2, 3, 4]), check.Graph.Int64s(4, -1)]));
    }

    [Fact]
    public void ReshapeOfSymbolicBatch()
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("Reshape", [check.Input("x", [3, 2, 2], declared: ["n", 2, 2]), check.Graph.Int64s(0, -1)]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(0)]
    public void Flatten(long axis)
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("Flatten", [check.Input("x", [2, 3, 2])], Attr.Int("axis", axis)));
    }

    [Fact]
    public void TransposeWithAndWithoutPerm()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [2, 3, 4]);
        var permuted = check.Graph.Op("Transpose", [x], Attr.Ints("perm", 1, 2, 0));
        check.Verify(check.Graph.Op("Mul", [permuted, check.Graph.Op("Transpose", [check.Input("y", [2, 4, 3])])]));
    }

    [Fact]
    public void SqueezeAndUnsqueeze()
    {
        var check = new GradientCheck();
        var squeezed = check.Graph.Op("Squeeze", [check.Input("x", [2, 1, 3, 1]), check.Graph.Int64s(1, -1)]);
        var unsqueezed = check.Graph.Op("Unsqueeze", [check.Input("y", [2, 3]), check.Graph.Int64s(0, 3)]);
        check.Verify(check.Graph.Op("Add", [check.Graph.Op("Unsqueeze", [squeezed, check.Graph.Int64s(0, 3)]), unsqueezed]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Concat(long axis)
    {
        var check = new GradientCheck();
        long[] Shape(long size) => axis == 0 ? [size, 2, 3] : axis == 1 ? [2, size, 3] : [2, 3, size];
        check.Verify(check.Graph.Op("Concat", [check.Input("a", Shape(1)), check.Input("b", Shape(2)), check.Input("c", Shape(3))], Attr.Int("axis", axis)));
    }

    [Fact]
    public void ConcatAlongASymbolicAxis()
    {
        var check = new GradientCheck();
        var a = check.Input("a", [2, 3], declared: ["n", 3]);
        var b = check.Input("b", [4, 3], declared: ["m", 3]);
        check.Verify(check.Graph.Op("Concat", [a, b], Attr.Int("axis", 0)));
    }

    [Fact]
    public void SliceWithUnitStepsConcatenatesZeros()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [4, 5, 3]);
        check.Verify(check.Graph.Op("Slice", [x, check.Graph.Int64s(1, -4), check.Graph.Int64s(3, 100), check.Graph.Int64s(0, 1)]));
    }

    [Fact]
    public void SliceWithStepsAndNegativeStepIsScatteredBack()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [6, 5]);
        var steps = check.Graph.Op("Slice", [x, check.Graph.Int64s(0, 4), check.Graph.Int64s(6, 0), check.Graph.Int64s(0, 1), check.Graph.Int64s(2, -1)]);
        check.Verify(steps);
    }

    [Fact]
    public void SliceOfSymbolicAxis()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [5, 3], declared: ["n", 3]);
        check.Verify(check.Graph.Op("Slice", [x, check.Graph.Int64s(1), check.Graph.Int64s(-1), check.Graph.Int64s(0)]));
    }

    [Fact]
    public void SliceAlongAStaticAxisOfASymbolicBatchConcatenatesZeros()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [3, 2, 5, 2], declared: ["n", 2, 5, 2]);
        var cropped = check.Graph.Op("Slice", [x, check.Graph.Int64s(1), check.Graph.Int64s(4), check.Graph.Int64s(2)]);
        check.Verify(cropped);
        Assert.DoesNotContain(check.Model!.Graph.Node, n => n.OpType == "ScatterElements");
    }

    [Fact]
    public void PaddingBesideASymbolicBatchCropsBackToTheBatchsOwnSymbol()
    {
        // Only the padded axes are cropped, and a whole-axis slice keeps its symbol: a fresh one would leave later
        // broadcasts against the batch unresolved (a second-order meta step through maps stacked into one tall map failed so).
        var check = new GradientCheck();
        var x = check.Input("x", [3, 2, 4], declared: ["n", 2, 4]);
        var padded = check.Graph.Op("Pad", [x, check.Graph.Int64s(0, 1, 0, 0, 2, 1)]);
        var gradient = check.Verify(padded)[x];
        Assert.Equal(new Dim[] { "n", 2, 4 }, new FewShot.Exporters.Autodiff.ShapeInference(check.Graph).Shape(gradient));
    }

    [Fact]
    public void PadIsCroppedBack()
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("Pad", [check.Input("x", [2, 3]), check.Graph.Int64s(1, 0, 2, 3)]));
    }

    [Fact]
    public void ExpandSumsOverTheExpandedAxes()
    {
        var check = new GradientCheck();
        check.Verify(check.Graph.Op("Expand", [check.Input("x", [3, 1]), check.Graph.Int64s(2, 3, 4)]));
    }
}
