using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using Microsoft.ML.OnnxRuntime;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Tests.Models;

/// <summary>
/// <see cref="Layers.ConvBatchAsDepth"/> (the batch written as the depth of one 3-D map, the kernel one deep) is the same
/// function as <see cref="Layers.Conv"/>: outputs and the gradients that our autodiff writes for both, run by ONNX
/// Runtime over a symbolic batch at 1 and 2 intra-op threads; the gradients stay 2-D convolutions.
/// </summary>
public sealed class BatchAsDepthTests
{
    [Theory]
    [InlineData(5, 7, 7, 16, 16, 1, true, 1)]
    [InlineData(3, 3, 3, 16, 16, 1, false, 2)]
    [InlineData(4, 5, 3, 2, 24, 1, true, 1)]
    [InlineData(1, 2, 4, 8, 12, 1, false, 2)]
    [InlineData(4, 7, 7, 8, 16, 2, true, 2)]
    [InlineData(3, 4, 5, 6, 16, 2, false, 1)]
    public void TheBatchAsDepthGivesTheConvolutionAndItsGradients(int batch, long height, long width, long inputChannels, long outputChannels, long stride, bool withBias, int threads)
    {
        var g = new GraphBuilder("depth");
        var x = g.Input("x", DataType.Float, "n", inputChannels, height, width);
        var w = g.Input("w", DataType.Float, outputChannels, inputChannels, 3, 3);
        var b = withBias ? g.Input("b", DataType.Float, outputChannels) : null;
        var (outHeight, outWidth) = ((height - 1) / stride + 1, (width - 1) / stride + 1);
        var r = g.Input("r", DataType.Float, "n", outputChannels, outHeight, outWidth);
        var depth = Layers.ConvBatchAsDepth(g, x, w, b, pad: 1, stride);
        var plain = Layers.Conv(g, x, w, b, pad: 1, stride);
        string[] wrt = b is null ? [x, w] : [x, w, b];
        var depthGradients = Gradients.Append(g, Loss(depth), wrt);
        var plainGradients = Gradients.Append(g, Loss(plain), wrt);
        string[] outputs = [depth, plain, .. wrt.SelectMany(v => new[] { depthGradients[v], plainGradients[v] })];
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
            [r] = (Random(batch * outputChannels * outHeight * outWidth), [batch, outputChannels, outHeight, outWidth]),
        };
        if (b is not null)
        {
            feeds[b] = (Random(outputChannels), [outputChannels]);
        }

        var values = Run(g, feeds, outputs, threads);
        AssertClose(values[plain], values[depth], "output");
        foreach (var v in wrt)
        {
            AssertClose(values[plainGradients[v]], values[depthGradients[v]], $"gradient of {v}");
        }

        // The one 3-D node is the forward's: its gradients are written as 2-D convolutions of the slices.
        Assert.Single(g.ToModel().Graph.Node, n => n.OpType is "Conv" or "ConvTranspose" && n.Attribute.Any(a => a.Name == "pads" && a.Ints.Count == 6));

        string Loss(string y) => g.Op("ReduceSum", [g.Op("Mul", [y, r])], Attr.Int("keepdims", 0));
    }

    [Fact]
    public void Conv4TakesTheBatchAsDepthWhereMapsAreSmallerThanItsChannels()
    {
        Assert.True(Layers.TakesBatchAsDepth(64, 7, 7));
        Assert.True(Layers.TakesBatchAsDepth(64, 3, 3));
        Assert.False(Layers.TakesBatchAsDepth(64, 14, 14));
        Assert.False(Layers.TakesBatchAsDepth(64, 8, 8));

        // Blocks 3 (7×7) and 4 (3×3) under batch statistics, blocks 1 (folded) and 2 (14×14) as they are; the strided
        // network's blocks 2 to 4 (7×7, 4×4, 2×2 outputs). A per-example normalization's bundle runs in shares of one
        // thread, where this does not pay.
        Assert.Equal(2, DepthConvolutions(FeatureNormalization.Batch, Conv4Downsampling.MaxPool));
        Assert.Equal(2, DepthConvolutions(FeatureNormalization.Support, Conv4Downsampling.MaxPool));
        Assert.Equal(3, DepthConvolutions(FeatureNormalization.Batch, Conv4Downsampling.Stride));
        Assert.Equal(0, DepthConvolutions(FeatureNormalization.Group, Conv4Downsampling.MaxPool));
        Assert.Equal(0, DepthConvolutions(FeatureNormalization.Instance, Conv4Downsampling.Stride));
    }

    private static int DepthConvolutions(FeatureNormalization normalization, Conv4Downsampling downsampling)
    {
        var model = new Conv4([1, 28, 28], 5, channels: 64, normalization, downsampling);
        var g = new GraphBuilder("conv4");
        var parameters = model.Parameters.Concat(model.SupportStatistics)
            .ToDictionary(p => p.Name, p => g.Input(p.Name, DataType.Float, [.. p.Shape.Select(d => (Dim)d)]), StringComparer.Ordinal);
        model.Forward(g, g.Input("x", DataType.Float, "n", 1, 28, 28), parameters);
        return g.ToModel().Graph.Node.Count(n => n.OpType == "Conv" && n.Attribute.Any(a => a.Name == "pads" && a.Ints.Count == 6));
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
        Assert.True(worst < 1e-5, $"{what}: as depth and as maps differ by {worst:E2} of the largest value");
    }
}
