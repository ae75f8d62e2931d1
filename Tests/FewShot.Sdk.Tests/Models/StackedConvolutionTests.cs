using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using Microsoft.ML.OnnxRuntime;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Tests.Models;

/// <summary>
/// <see cref="Layers.ConvStacked"/> (the batch's maps stacked into one tall map, a zero row under each) is the same
/// function as <see cref="Layers.Conv"/> with pad 1: outputs and the gradients that our autodiff writes for both, run by
/// ONNX Runtime over a symbolic batch, at 1 and 2 intra-op threads.
/// </summary>
public sealed class StackedConvolutionTests
{
    [Theory]
    [InlineData(5, 7, 7, 16, 16, true, 1)]
    [InlineData(3, 3, 3, 16, 16, false, 2)]
    [InlineData(4, 5, 3, 2, 24, true, 1)]
    [InlineData(1, 2, 4, 8, 12, false, 2)]
    public void StackedMapsGiveTheConvolutionAndItsGradients(int batch, long height, long width, long inputChannels, long outputChannels, bool withBias, int threads)
    {
        var g = new GraphBuilder("stacked");
        var x = g.Input("x", DataType.Float, "n", inputChannels, height, width);
        var w = g.Input("w", DataType.Float, outputChannels, inputChannels, 3, 3);
        var b = withBias ? g.Input("b", DataType.Float, outputChannels) : null;
        var r = g.Input("r", DataType.Float, "n", outputChannels, height, width);
        var stacked = Layers.ConvStacked(g, x, w, b, inputChannels, outputChannels, height, width);
        var plain = Layers.Conv(g, x, w, b, pad: 1);
        string[] wrt = b is null ? [x, w] : [x, w, b];
        var stackedGradients = Gradients.Append(g, Loss(stacked), wrt);
        var plainGradients = Gradients.Append(g, Loss(plain), wrt);
        string[] outputs = [stacked, plain, .. wrt.SelectMany(v => new[] { stackedGradients[v], plainGradients[v] })];
        foreach (var output in outputs.Distinct())
        {
            g.Output(output);
        }

        var random = new Random(11);
        float[] Random(long count) => [.. Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var feeds = new Dictionary<string, (float[] Values, long[] Shape)>
        {
            [x] = (Random(batch * inputChannels * height * width), [batch, inputChannels, height, width]),
            [w] = (Random(outputChannels * inputChannels * 9), [outputChannels, inputChannels, 3, 3]),
            [r] = (Random(batch * outputChannels * height * width), [batch, outputChannels, height, width]),
        };
        if (b is not null)
        {
            feeds[b] = (Random(outputChannels), [outputChannels]);
        }

        var values = Run(g, feeds, outputs, threads);
        AssertClose(values[plain], values[stacked], "output");
        foreach (var v in wrt)
        {
            AssertClose(values[plainGradients[v]], values[stackedGradients[v]], $"gradient of {v}");
        }

        // The spacer rows' crop goes back as a concatenation of zeros, not a scatter over the whole map.
        Assert.DoesNotContain(g.ToModel().Graph.Node, n => n.OpType == "ScatterElements");

        string Loss(string y) => g.Op("ReduceSum", [g.Op("Mul", [y, r])], Attr.Int("keepdims", 0));
    }

    [Fact]
    public void Conv4StacksOnlyMapsSmallerThanItsChannels()
    {
        Assert.True(Layers.StacksMaps(64, 7, 7));
        Assert.True(Layers.StacksMaps(64, 3, 3));
        Assert.False(Layers.StacksMaps(64, 14, 14));
        Assert.False(Layers.StacksMaps(64, 8, 8));
        // Blocks 3 (7×7) and 4 (3×3) run stacked under batch statistics, blocks 1 (folded) and 2 (14×14) as they are; a
        // per-example normalization's bundle runs in shares of one thread, where stacking does not pay.
        Assert.Equal(2, StackedConvolutions(FeatureNormalization.Batch));
        Assert.Equal(2, StackedConvolutions(FeatureNormalization.Support));
        Assert.Equal(0, StackedConvolutions(FeatureNormalization.Group));
        Assert.Equal(0, StackedConvolutions(FeatureNormalization.Instance));
    }

    private static int StackedConvolutions(FeatureNormalization normalization)
    {
        var model = new Conv4([1, 28, 28], 5, channels: 64, normalization);
        var g = new GraphBuilder("conv4");
        var parameters = model.Parameters.Concat(model.SupportStatistics)
            .ToDictionary(p => p.Name, p => g.Input(p.Name, DataType.Float, [.. p.Shape.Select(d => (Dim)d)]), StringComparer.Ordinal);
        model.Forward(g, g.Input("x", DataType.Float, "n", 1, 28, 28), parameters);
        var nodes = g.ToModel().Graph.Node;
        return nodes.Count(n => n.OpType == "Conv" && nodes.Any(m => m.OpType == "Reshape" && m.Output[0] == n.Input[0]));
    }

    private static Dictionary<string, float[]> Run(GraphBuilder g, Dictionary<string, (float[] Values, long[] Shape)> feeds, IReadOnlyList<string> outputs, int threads)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads };
        using var session = new InferenceSession(OnnxModelFile.ToBytes(g.ToModel()), options);
        var inputs = feeds.ToDictionary(f => f.Key, f => OrtValue.CreateTensorValueFromMemory(f.Value.Values, f.Value.Shape), StringComparer.Ordinal);
        try
        {
            using var runOptions = new RunOptions();
            var names = outputs.Distinct().ToArray();
            using var results = session.Run(runOptions, inputs, names);
            return names.Select((n, i) => (n, results[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(1e-6, expected.Max(Math.Abs));
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() / scale;
        Assert.True(worst < 1e-5, $"{what}: stacked and plain differ by {worst:E2} of the largest value");
    }
}
