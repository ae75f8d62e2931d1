using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>The generic engine: errors, pruning, accumulation, seeds, stop-gradient, broadcast reduction and graph size.</summary>
public sealed class GradientEngineTests
{
    [Fact]
    public void OpWithoutRuleIsNamedWithItsNode()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, 3);
        var y = g.Op("ReduceSum", [g.Op("Erf", [x])], Attr.Int("keepdims", 0));

        var error = Assert.Throws<InvalidOperationException>(() => Gradients.Append(g, y, [x]));
        Assert.Equal("no gradient rule for op \"Erf\" (node Erf_node)", error.Message);
    }

    [Fact]
    public void UnsupportedAttributeIsNamedWithItsNode()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, 1, 1, 4, 4);
        var w = g.Input("w", DataType.Float, 1, 1, 3, 3);
        var y = g.Op("ReduceSum", [g.Op("Conv", [x, w], Attr.String("auto_pad", "SAME_UPPER"))], Attr.Int("keepdims", 0));

        var error = Assert.Throws<InvalidOperationException>(() => Gradients.Append(g, y, [w]));
        Assert.Contains("Conv node Conv_node", error.Message);
        Assert.Contains("auto_pad=SAME_UPPER", error.Message);
    }

    [Fact]
    public void NodesOffThePathNeedNoRule()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, 3);
        var frozen = g.Input("frozen", DataType.Float, 3);
        var unrelated = g.Op("Erf", [x]);
        var constant = g.Op("Erf", [frozen]);
        g.Output(unrelated);
        var y = g.Op("ReduceSum", [g.Op("Mul", [x, constant])], Attr.Int("keepdims", 0));

        var forward = g.Graph.Node.Count;
        Gradients.Append(g, y, [x]);
        Assert.DoesNotContain(g.Graph.Node.Skip(forward), n => n.Input.Contains(unrelated));
    }

    [Fact]
    public void IntegerValuesHaveNoGradient()
    {
        var g = new GraphBuilder();
        var labels = g.Input("labels", DataType.Int64, 3);
        var y = g.Op("ReduceSum", [g.Op("Cast", [labels], Attr.Int("to", (long)DataType.Float))], Attr.Int("keepdims", 0));

        var error = Assert.Throws<ArgumentException>(() => Gradients.Append(g, y, [labels]));
        Assert.Contains("'labels' has element type Int64", error.Message);
    }

    [Fact]
    public void NonScalarOutputNeedsASeed()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, 2, 3);
        var y = g.Op("Exp", [x]);

        var error = Assert.Throws<ArgumentException>(() => Gradients.Append(g, y, [x]));
        Assert.Contains("pass its gradient as GradientOptions.Seed", error.Message);
    }

    [Fact]
    public void SeedGradientIsPropagated()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Double, 3);
        var seed = g.Input("dy", DataType.Double, 3);
        var gradient = Gradients.Append(g, g.Op("Mul", [x, x]), [x], new GradientOptions { Seed = seed })[x];
        g.Output(gradient);

        var result = Run(g, gradient, ("x", [1, 2, 3]), ("dy", [1, 10, 100]));
        Assert.Equal(new double[] { 2, 40, 600 }, result);
    }

    [Fact]
    public void ValueThatDoesNotReachTheOutputGetsZeros()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Double, 2);
        var unused = g.Input("unused", DataType.Double, 4);
        var gradients = Gradients.Append(g, g.Op("ReduceSum", [x], Attr.Int("keepdims", 0)), [x, unused]);
        g.Output(gradients[unused]);

        Assert.Equal(new double[4], Run(g, gradients[unused], ("x", [1, 2]), ("unused", [1, 2, 3, 4])));
    }

    [Fact]
    public void StopGradientMarkerTreatsTheValueAsConstant()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Double, 2);
        var y = g.Op("ReduceSum", [g.Op("Mul", [x, StopGradient.Apply(g, x)])], Attr.Int("keepdims", 0));
        var gradient = Gradients.Append(g, y, [x])[x];
        g.Output(gradient);

        // d(x·sg(x))/dx = sg(x) = x, not 2x.
        Assert.Equal(new double[] { 3, -1 }, Run(g, gradient, ("x", [3, -1])));
    }

    [Fact]
    public void StopGradientOptionTreatsTheValueAsConstant()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Double, 2);
        var square = g.Op("Mul", [x, x]);
        var y = g.Op("ReduceSum", [g.Op("Mul", [square, x])], Attr.Int("keepdims", 0));
        var gradient = Gradients.Append(g, y, [x], new GradientOptions { StopGradients = new HashSet<string> { square } })[x];
        g.Output(gradient);

        Assert.Equal(new double[] { 4, 9 }, Run(g, gradient, ("x", [2, 3])));
    }

    [Fact]
    public void NamesOptionNamesTheGradients()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Double, 2);
        var gradients = Gradients.Append(g, g.Op("ReduceSum", [g.Op("Exp", [x])], Attr.Int("keepdims", 0)), [x],
            new GradientOptions { Names = new Dictionary<string, string> { [x] = "grad_x" } });

        Assert.Equal("grad_x", gradients[x]);
        g.Output("grad_x");
        Assert.Equal([2], g.Graph.Output.Single(o => o.Name == "grad_x").Type.TensorType.Shape.Dim.Select(d => d.DimValue));
    }

    [Fact]
    public void SymbolicSizesThatMayBroadcastAreReducedAtRunTime()
    {
        var check = new GradientCheck();
        var a = check.Input("a", [4, 3], declared: ["n", 3]);
        var b = check.Input("b", [1, 3], declared: ["m", 3]);
        check.Verify(check.Graph.Op("Add", [a, b]));
        Assert.Contains(check.Model!.Graph.Node, n => n.OpType == "NonZero");
    }

    [Fact]
    public void StaticBroadcastNeedsNoShapeArithmetic()
    {
        var check = new GradientCheck { SecondOrder = false };
        var x = check.Input("x", [5, 3], declared: ["batch", 3]);
        var b = check.Input("b", [3]);
        var w = check.Input("w", [3, 2]);
        check.Verify(check.Graph.Op("MatMul", [check.Graph.Op("Relu", [check.Graph.Op("Add", [x, b])]), w]));
        Assert.DoesNotContain(check.Model!.Graph.Node, n => n.OpType is "NonZero" or "Equal");

        // Only the loss's ReduceSum needs the (symbolic) shape of what it summed, to expand its gradient back.
        Assert.Single(check.Model.Graph.Node, n => n.OpType == "Shape");
    }

    [Fact]
    public void ConstantsAreShared()
    {
        var check = new GradientCheck { SecondOrder = false };
        var x = check.Input("x", [2, 3], ValueKind.AwayFromZero);
        var y = x;
        for (var i = 0; i < 5; i++)
        {
            y = check.Graph.Op("Relu", [check.Graph.Op("Reshape", [y, check.Graph.Int64s(3, 2)])]);
            y = check.Graph.Op("Reshape", [y, check.Graph.Int64s(2, 3)]);
        }

        var forward = check.Graph.Graph.Node.Count;
        check.Verify(y);
        var appended = check.Model!.Graph.Node.Skip(forward).ToList();
        var constants = appended.Where(n => n.OpType == "Constant").Select(n => n.Attribute[0].T.RawData.ToBase64() + n.Attribute[0].T.DataType).ToList();
        Assert.Equal(constants.Count, constants.Distinct().Count());

        // The loss (Mul, ReduceSum), its seed and backward (Constant, Expand, Mul), Relu's zero, then per pair exactly
        // Reshape, Greater, Cast, Mul, Reshape: the Reshape targets are the forward graph's own constants.
        Assert.Equal(6 + (5 * 5), appended.Count);
    }

    [Fact]
    public void DifferentiatesAGraphReadBackFromItsBytes()
    {
        var original = new GraphBuilder("saved");
        var x = original.Input("x", DataType.Double, "n", 2);
        var w = original.Initializer(TensorData.Double("w", [2, 2], [1, 2, 3, 4]));
        var loss = original.Op("ReduceSum", [original.Op("Tanh", [original.Op("MatMul", [x, w])])], Attr.Int("keepdims", 0));
        original.Output(loss, []);

        var g = GraphBuilder.Edit(OnnxModelFile.Parse(OnnxModelFile.ToBytes(original.ToModel())).Graph);
        var gradient = Gradients.Append(g, loss, [w])[w];
        g.Output(gradient);

        // d/dw Σ tanh(xw) = xᵀ (1 − tanh²(xw)); with x = [[1, 0]] only w's first row gets gradient.
        double[] expected = [1 - Math.Pow(Math.Tanh(1), 2), 1 - Math.Pow(Math.Tanh(2), 2), 0, 0];
        using var model = new OrtModel(g.ToModel());
        var actual = model.Run(new Dictionary<string, TestTensor> { [x] = new(DataType.Double, [1, 2], [1, 0]) }, gradient).Values;
        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    private static double[] Run(GraphBuilder g, string output, params (string Name, double[] Values)[] inputs)
    {
        using var model = new OrtModel(g.ToModel());
        return model.Run(inputs.ToDictionary(i => i.Name, i => new TestTensor(DataType.Double, [i.Values.Length], i.Values)), output).Values;
    }
}
