using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using FewShot.Exporters.Tests.Autodiff.Models;
using FewShot.Tests.Shared;
using Xunit.Abstractions;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>MAML meta-gradient graphs: size as the inner loop unrolls, and first-order MAML through stop-gradient.</summary>
public sealed class MamlTests(ITestOutputHelper output)
{
    [Fact]
    public void SecondOrderMetaGradientGrowsLinearlyWithInnerSteps()
    {
        var counts = new[] { 1, 5, 10 }.ToDictionary(k => k, k => MetaGradientGraph(k, firstOrder: false).Graph.Node.Count);
        output.WriteLine($"conv4 second-order meta-gradient nodes: K=1 {counts[1]}, K=5 {counts[5]}, K=10 {counts[10]}");

        // Every inner step adds the same nodes (its forward, backward, update and their differentiation), no more.
        var perStep = counts[5] - counts[1];
        Assert.Equal(0, perStep % 4);
        Assert.Equal(perStep / 4 * 5, counts[10] - counts[5]);
        Assert.True(perStep / 4 < counts[1], $"one more step costs {perStep / 4} nodes, more than the whole K=1 graph ({counts[1]})");
    }

    [Fact]
    public void UnrolledMetaGradientGraphPassesTheChecker()
    {
        var g = MetaGradientGraph(5, firstOrder: false);
        OnnxChecker.AssertValid(OnnxModelFile.ToBytes(g.ToModel()), "the 5-step conv4 meta-gradient graph");
    }

    /// <summary>With stop-gradient on the inner gradients, dL_query/dθ₀ is the plain query gradient at the adapted θ′.</summary>
    [Fact]
    public void FirstOrderMetaGradientIsTheQueryGradientAtTheAdaptedParameters()
    {
        var (g, theta, maml, feeds) = FirstOrderGraph();
        var forward = g.Graph.Node.Count;
        var meta = Gradients.Append(g, maml.QueryLoss, theta.Values.ToList());
        var metaNodes = g.Graph.Node.Count - forward;
        var direct = Gradients.Append(g, maml.QueryLoss, maml.Adapted.Values.ToList());
        foreach (var value in meta.Values.Concat(direct.Values).Distinct())
        {
            g.Output(value);
        }

        using var model = new OrtModel(g.ToModel());
        var results = model.Run(feeds, meta.Values.Concat(direct.Values).Distinct().ToArray());
        foreach (var name in theta.Keys)
        {
            var (a, b) = (results[meta[theta[name]]], results[direct[maml.Adapted[name]]]);
            Assert.Equal(b.Values, a.Values);
        }

        // Nothing of the inner steps' backward graphs is differentiated: the meta-gradient is one backward pass
        // (counted in a fresh copy of the graph, where it shares no node with an earlier pass).
        var (fresh, _, freshMaml, _) = FirstOrderGraph();
        var before = fresh.Graph.Node.Count;
        Gradients.Append(fresh, freshMaml.QueryLoss, freshMaml.Adapted.Values.ToList());
        var backwardNodes = fresh.Graph.Node.Count - before;
        Assert.True(metaNodes < backwardNodes + 20, $"{metaNodes} meta-gradient nodes against {backwardNodes} for one backward pass");
    }

    private static (GraphBuilder Graph, Dictionary<string, string> Theta, Maml.Unrolled Maml, Dictionary<string, TestTensor> Feeds) FirstOrderGraph()
    {
        var g = new GraphBuilder("fomaml");
        var random = new Random(5);
        var theta = new Dictionary<string, string>();
        var feeds = new Dictionary<string, TestTensor>();
        foreach (var (name, shape) in Conv4.Parameters(hidden: 4, ways: 3, imageSize: 16))
        {
            theta[name] = g.Input(name, DataType.Float, shape.Select(d => (Dim)d).ToArray());
            feeds[name] = TestTensor.Random(random, DataType.Float, shape) is var t ? t with { Values = t.Values.Select(v => v * 0.3).ToArray() } : null!;
        }

        (string, string) Task(string prefix)
        {
            var x = g.Input($"{prefix}_x", DataType.Float, 6, 1, 16, 16);
            var y = g.Input($"{prefix}_y", DataType.Int64, 6);
            feeds[x] = TestTensor.Random(random, DataType.Float, [6, 1, 16, 16]);
            feeds[y] = TestTensor.Integers(DataType.Int64, [6], [0, 1, 2, 0, 1, 2]);
            return (x, y);
        }

        var maml = Maml.Build(g, theta, Task("support"), Task("query"), innerRate: 0.1, steps: 2, firstOrder: true);
        return (g, theta, maml, feeds);
    }

    private static GraphBuilder MetaGradientGraph(int steps, bool firstOrder)
    {
        var g = new GraphBuilder("maml");
        var theta = Conv4.Parameters().ToDictionary(p => p.Name, p => g.Input(p.Name, DataType.Float, p.Shape.Select(d => (Dim)d).ToArray()));
        (string, string) Task(string prefix) =>
            (g.Input($"{prefix}_x", DataType.Float, "shots", 1, 28, 28), g.Input($"{prefix}_y", DataType.Int64, "shots"));
        var maml = Maml.Build(g, theta, Task("support"), Task("query"), innerRate: 0.4, steps, firstOrder);
        var meta = Gradients.Append(g, maml.QueryLoss, theta.Values.ToList());
        g.Output(maml.QueryLoss, []);
        foreach (var gradient in meta.Values)
        {
            g.Output(gradient);
        }

        return g;
    }
}
