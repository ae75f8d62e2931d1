using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>Gather and scatter rules (repeated and negative indices included) against finite differences in float64.</summary>
public sealed class IndexingRulesTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void GatherAddsUpRepeatedIndices(long axis)
    {
        var check = new GradientCheck();
        var x = check.Input("x", [4, 3, 5]);
        var indices = check.Indices("i", [2, 2], [0, 2, 2, -1]);
        check.Verify(check.Graph.Op("Gather", [x, indices], Attr.Int("axis", axis)));
    }

    [Fact]
    public void GatherWithAScalarIndex()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [4, 3]);
        check.Verify(check.Graph.Op("Gather", [x, check.Graph.Constant(TensorData.Int64("", [], [2]))], Attr.Int("axis", 1)));
    }

    [Fact]
    public void GatherElements()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [3, 4]);
        var indices = check.Indices("i", [3, 2], [0, 0, 3, 1, 2, -1]);
        check.Verify(check.Graph.Op("GatherElements", [x, indices], Attr.Int("axis", 1)));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("add")]
    public void ScatterElements(string reduction)
    {
        var check = new GradientCheck();
        var data = check.Input("data", [3, 4]);
        var updates = check.Input("updates", [3, 2]);
        var indices = check.Indices("i", [3, 2], [0, 3, 1, 2, 2, 0]);
        check.Verify(check.Graph.Op("ScatterElements", [data, indices, updates], Attr.Int("axis", 1), Attr.String("reduction", reduction)));
    }

    [Fact]
    public void GatherNDAndScatterND()
    {
        var check = new GradientCheck();
        var data = check.Input("data", [3, 4]);
        var picked = check.Graph.Op("GatherND", [data, check.Indices("i", [2, 1], [2, 0])]);
        var scattered = check.Graph.Op("ScatterND", [check.Input("base", [3, 4]), check.Indices("j", [2, 1], [1, 0]), picked]);
        check.Verify(scattered);
    }
}
