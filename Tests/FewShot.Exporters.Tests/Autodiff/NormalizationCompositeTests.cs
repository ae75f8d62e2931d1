using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>
/// The normalization compositions differentiated as a whole (<see cref="CompositeRule"/>): few passes over the
/// activations, and exact where the composition's inner values are also used elsewhere or asked for.
/// </summary>
public sealed class NormalizationCompositeTests
{
    private static readonly long[] Activations = [3, 4, 5, 5];

    public static TheoryData<string> Normalizations => new() { "batch", "group" };

    [Theory]
    [MemberData(nameof(Normalizations))]
    public void TheGradientTakesAtMostFivePassesOverTheActivationsAndExpandsNothingToTheirSize(string kind)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, [.. Activations.Select(d => (Dim)d)]);
        var y = Normalize(kind, g, x, g.Input("scale", DataType.Float, 4), g.Input("bias", DataType.Float, 4));
        var dy = g.Input("dy", DataType.Float, [.. Activations.Select(d => (Dim)d)]);
        var firstAppended = g.Graph.Node.Count;

        Gradients.Append(g, y, [x, "scale", "bias"], new GradientOptions { Seed = dy });

        // Primitive by primitive, the mean's and the variance's gradients are expanded to full size and summed (reshapes count too).
        var appended = g.Graph.Node.Skip(firstAppended).ToList();
        var shapes = new ShapeInference(g);
        var size = Activations.Aggregate(1L, (p, d) => p * d);
        var fullSize = appended.Where(n => shapes.Shape(n.Output[0]) is { } s && s.All(d => d.IsFixed) && s.Aggregate(1L, (p, d) => p * d.Value!.Value) == size).ToList();
        Assert.DoesNotContain(fullSize, n => n.OpType is "Expand" or "Sum");
        Assert.InRange(fullSize.Count, 1, 5);
    }

    [Theory]
    [MemberData(nameof(Normalizations))]
    public void AnInnerValueThatTheLossAlsoUsesStillGetsItsShare(string kind)
    {
        // The loss reads the composition's own mean too: that path reaches x through the primitives, the rest through the composite rule.
        var check = new GradientCheck();
        var x = check.Input("x", Activations);
        var y = Normalize(kind, check.Graph, x, check.Input("scale", [4]), check.Input("bias", [4]));
        var mean = check.Graph.Graph.Node.First(n => n.OpType == "ReduceMean").Output[0];
        var meanAsActivations = kind == "batch" ? mean : check.Graph.Op("Reshape", [check.Graph.Op("Expand", [mean, check.Graph.Int64s(3, 2, 50)]), check.Graph.Int64s(Activations)]);
        check.Verify(check.Graph.Op("Add", [y, check.Graph.Op("Mul", [meanAsActivations, meanAsActivations])]));
    }

    [Theory]
    [MemberData(nameof(Normalizations))]
    public void AskingForAnInnerValuesGradientDifferentiatesThePrimitives(string kind)
    {
        // With the composite rule, the inner value would miss the output's share; the engine must fall back.
        Dictionary<string, TestTensor> Gradient(GradientRegistry registry)
        {
            var g = new GraphBuilder();
            var x = g.Input("x", DataType.Float, [.. Activations.Select(d => (Dim)d)]);
            var y = Normalize(kind, g, x, g.Initializer(TensorData.Float("scale", [4], [1.5f, 0.5f, 2f, 1f])), g.Initializer(TensorData.Float("bias", [4], [0.1f, -0.2f, 0.3f, 0f])));
            var weights = g.Initializer(TensorData.Float("w", Activations, [.. Enumerable.Range(0, 300).Select(i => MathF.Sin(i))]));
            var loss = g.Op("ReduceSum", [g.Op("Mul", [y, weights])], Attr.Int("keepdims", 0));
            var centered = g.Graph.Node.First(n => n.OpType == "Sub").Output[0];
            var gradients = Gradients.Append(g, loss, [x, centered], new GradientOptions { Registry = registry });
            g.Output(gradients[x]);
            g.Output(gradients[centered]);
            using var model = new OrtModel(g.ToModel());
            var feed = TestTensor.Random(new Random(3), DataType.Float, Activations);
            return model.Run(new Dictionary<string, TestTensor> { [x] = feed }, gradients[x], gradients[centered]);
        }

        var primitives = GradientRegistry.CreateDefault()
            .RegisterComposite(Normalization.BatchNormTrainingMarker, (_, _, _) => null)
            .RegisterComposite(Normalization.GroupNormMarker, (_, _, _) => null);
        var expected = Gradient(primitives).Values.ToList();
        var actual = Gradient(GradientRegistry.Default).Values.ToList();
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].Values.Zip(actual[i].Values).All(p => Math.Abs(p.First - p.Second) <= 1e-5 * (1 + Math.Abs(p.First))));
            Assert.Contains(expected[i].Values, v => Math.Abs(v) > 1e-3);
        }
    }

    private static string Normalize(string kind, GraphBuilder g, string x, string scale, string bias) => kind == "batch"
        ? Normalization.BatchNormTraining(g, x, scale, bias)
        : Normalization.GroupNorm(g, x, scale, bias, groups: 2);
}
