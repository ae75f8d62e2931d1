using FewShot.Exporters.Graphs;
using FewShot.Exporters.Tests.Autodiff.Harness;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>
/// Convolution and pooling rules against finite differences. ORT's CPU provider runs Conv, ConvTranspose, AveragePool
/// and GlobalAveragePool in float32 only, so these checks use float32 (tolerances justified on <see cref="GradientCheck"/>);
/// MaxPool also runs in float64.
/// </summary>
public sealed class ConvPoolRulesTests
{
    public static TheoryData<long[], long[], long[], long[], long> ConvCases() => new()
    {
        // input [N, C, H, W], strides, pads, dilations, group
        { [2, 3, 6, 6], [1, 1], [1, 1, 1, 1], [1, 1], 1 },
        { [1, 2, 7, 6], [2, 2], [0, 1, 1, 0], [1, 1], 1 },
        { [2, 3, 9, 8], [2, 2], [1, 1, 1, 1], [2, 2], 1 },
        { [2, 2, 10, 9], [3, 3], [1, 0, 1, 2], [1, 1], 1 },
        { [2, 2, 7, 7], [2, 3], [1, 0, 0, 2], [2, 1], 1 },
        { [1, 4, 5, 6], [1, 1], [1, 1, 1, 1], [1, 1], 2 },
        { [2, 4, 8, 7], [3, 2], [1, 1, 0, 1], [1, 2], 4 },
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv(long[] input, long[] strides, long[] pads, long[] dilations, long group)
    {
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", input);
        var channels = group == 4 ? 8 : 6;
        var w = check.Input("w", [channels, input[1] / group, 3, 2]);
        var b = check.Input("b", [channels]);
        check.Verify(check.Graph.Op("Conv", [x, w, b],
            Attr.Ints("strides", strides), Attr.Ints("pads", pads), Attr.Ints("dilations", dilations), Attr.Int("group", group)));
    }

    [Fact]
    public void ConvWithSymbolicBatch()
    {
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [3, 2, 5, 5], declared: ["batch", 2, 5, 5]);
        check.Verify(check.Graph.Op("Conv", [x, check.Input("w", [4, 2, 3, 3])], Attr.Ints("pads", 1, 1, 1, 1), Attr.Ints("strides", 2, 2)));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    public void ADepthOneThreeDConvolutionDifferentiatesAsTheConvolutionOfItsSlices(long stride)
    {
        // The batch written as depth (Layers.ConvBatchAsDepth): its gradients are the 2-D convolution's of the slices.
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [1, 3, 4, 5, 6], declared: [1, 3, "depth", 5, 6]);
        var w = check.Input("w", [4, 3, 1, 3, 3]);
        var b = check.Input("b", [4]);
        var conv = check.Graph.Op("Conv", [x, w, b], Attr.Ints("pads", 0, 1, 1, 0, 1, 1), Attr.Ints("strides", 1, stride, stride));
        // The depth keeps its symbol through the convolution (a fresh one left a second-order meta step's broadcasts unresolved).
        Assert.Equal(new Dim[] { 1, 4, "depth", (5 - 1) / stride + 1, (6 - 1) / stride + 1 }, new FewShot.Exporters.Autodiff.ShapeInference(check.Graph).Shape(conv));
        check.Verify(conv);
        Assert.Contains(check.Model!.Graph.Node, n => n.OpType == "ConvTranspose");
        Assert.DoesNotContain(check.Model.Graph.Node, n => n.OpType == "ConvTranspose" && n.Attribute.Any(a => a.Name == "pads" && a.Ints.Count == 6));
    }

    [Theory]
    [InlineData(1L, 1L, 1L)]
    [InlineData(2L, 1L, 2L)]
    public void AnUnstridedWeightGradientOverSymbolicMapsIsStillMatrixProducts(long dilation, long padTop, long padLeft)
    {
        // A map whose height only the run fixes (images stacked into one tall map, say): the products' slices
        // end where they do counted from the end, instead of falling back to the single Conv form.
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [1, 3, 9, 6], declared: [1, 3, "rows", 6]);
        var w = check.Input("w", [4, 3, 3, 2]);
        check.Verify(check.Graph.Op("Conv", [x, w], Attr.Ints("pads", padTop, padLeft, 1, 0), Attr.Ints("dilations", dilation, 1)));
        Assert.Contains(check.Model!.Graph.Node, n => n.OpType == "Gemm");
        Assert.DoesNotContain(check.Model.Graph.Node, n => n.OpType == "Conv" && n.Input[1] != w);
    }

    [Fact]
    public void AnUnstridedWeightGradientNeverHoldsTheSlicesOfAllKernelOffsetsAtOnce()
    {
        // One product per kernel offset: no value of the gradient graph is as large as the nine slices together (the
        // im2col matrix, 9× the input), which was the largest buffer of a conv4 MAML step.
        const long inputSize = 2 * 4 * 6 * 6;
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [2, 4, 6, 6]);
        var w = check.Input("w", [5, 4, 3, 3]);
        var loss = check.Graph.Op("ReduceSum", [check.Graph.Op("Conv", [x, w], Attr.Ints("pads", 1, 1, 1, 1))], Attr.Int("keepdims", 0));
        var gradient = FewShot.Exporters.Autodiff.Gradients.Append(check.Graph, loss, [w])[w];
        check.Graph.Output(gradient);

        var shapes = new FewShot.Exporters.Autodiff.ShapeInference(check.Graph);
        var sizes = check.Graph.Graph.Node.SelectMany(n => n.Output)
            .Select(v => shapes.Shape(v)!.Aggregate(1L, (p, d) => p * d.Value!.Value)).ToArray();
        Assert.Contains(check.Graph.Graph.Node, n => n.OpType == "Gemm");
        Assert.True(sizes.Max() <= 2 * inputSize, $"largest value {sizes.Max()} elements; the input has {inputSize}");
    }

    [Fact]
    public void ANarrowInputTakesOneWeightProductOverAllKernelOffsets()
    {
        // One input channel and a 3×2 kernel: the six offsets' columns are no larger than the output gradient (6
        // channels), so one product reads the output gradient once instead of once per offset.
        static GradientCheck Narrow(out string conv, out string w)
        {
            var check = new GradientCheck(DataType.Float);
            w = check.Input("w", [6, 1, 3, 2]);
            conv = check.Graph.Op("Conv", [check.Input("x", [2, 1, 7, 6]), w], Attr.Ints("pads", 1, 0, 1, 1));
            return check;
        }

        var probe = Narrow(out var output, out var weights);
        var loss = probe.Graph.Op("ReduceSum", [output], Attr.Int("keepdims", 0));
        probe.Graph.Output(FewShot.Exporters.Autodiff.Gradients.Append(probe.Graph, loss, [weights])[weights]);
        Assert.Single(probe.Graph.Graph.Node, n => n.OpType == "Gemm");

        var check = Narrow(out var conv, out _);
        check.Verify(conv);
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(2, 0, 2)]
    public void ConvTranspose(long stride, long outputPadding, long group)
    {
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [2, 2, 4, 3]);
        var w = check.Input("w", [2, 3, 3, 3]);
        var b = check.Input("b", [3 * group]);
        check.Verify(check.Graph.Op("ConvTranspose", [x, w, b], Attr.Ints("strides", stride, stride), Attr.Ints("pads", 1, 0, 0, 1),
            Attr.Ints("output_padding", outputPadding, outputPadding), Attr.Int("group", group)));
    }

    [Theory]
    [InlineData(DataType.Double, new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 0, 0, 0, 0 })]
    [InlineData(DataType.Double, new long[] { 3, 3 }, new long[] { 1, 1 }, new long[] { 1, 1, 1, 1 })]
    [InlineData(DataType.Float, new long[] { 3, 2 }, new long[] { 2, 1 }, new long[] { 1, 0, 0, 1 })]
    public void MaxPoolRoutesToTheArgMax(DataType type, long[] kernel, long[] strides, long[] pads)
    {
        var check = new GradientCheck(type);
        var x = check.Input("x", [2, 2, 5, 6], ValueKind.Distinct);
        check.Verify(check.Graph.Op("MaxPool", [x], Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", strides), Attr.Ints("pads", pads)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MaxPoolTiesGoToTheFirstMaximumOnly(long stride)
    {
        var check = new GradientCheck();
        var x = check.Input("x", [1, 1, 2, 2]);
        var pooled = check.Graph.Op("MaxPool", [x], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", stride, stride));
        var gradients = Gradients(check, pooled, x);
        Assert.Equal(new double[] { 1, 0, 0, 0 }, gradients);
    }

    [Theory]
    [InlineData(DataType.Double)]
    [InlineData(DataType.Float)]
    public void TilingMaxPoolRoutesBlockwiseToTheFirstMaximumOfEachWindow(DataType type)
    {
        // Windows [[1, 5], [5, 2]] (tie between later elements) and [[7, 7], [7, 7]] (all tied); a fifth column is dropped.
        var check = new GradientCheck(type);
        var x = check.Input("x", [1, 1, 2, 5]);
        var pooled = check.Graph.Op("MaxPool", [x], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", 2, 2));
        var loss = check.Graph.Op("ReduceSum", [pooled], Attr.Int("keepdims", 0));
        var gradient = FewShot.Exporters.Autodiff.Gradients.Append(check.Graph, loss, [x])[x];
        check.Graph.Output(gradient);
        Assert.DoesNotContain(check.Graph.Graph.Node, n => n.OpType is "ScatterElements" or "DepthToSpace");
        using var model = new OrtModel(check.Graph.ToModel());
        var values = model.Run(new Dictionary<string, TestTensor> { [x] = new(type, [1, 1, 2, 5], [1, 5, 7, 7, 9, 5, 2, 7, 7, 9]) }, gradient).Values;
        Assert.Equal(new double[] { 0, 1, 1, 0, 0, 0, 0, 0, 0, 0 }, values);
    }

    [Theory]
    [InlineData(DataType.Float, 2, 8, 8)]
    [InlineData(DataType.Float, 3, 7, 8)]
    [InlineData(DataType.Double, 2, 7, 5)]
    public void TilingMaxPoolMatchesFirstMaximumRoutingOnManyTies(DataType type, int k, int height, int width)
    {
        // Values from {0, 0.5, 1}: most windows hold ties. The gradient of Σ w·MaxPool(x) puts each window's weight on
        // its first maximum (row-major), as PyTorch does; rows and columns past the last whole window get nothing.
        var (channels, random) = (3, new Random(k * 100 + height));
        var xs = Enumerable.Range(0, 2 * channels * height * width).Select(_ => random.Next(3) * 0.5).ToArray();
        var (outHeight, outWidth) = (height / k, width / k);
        var ws = Enumerable.Range(0, 2 * channels * outHeight * outWidth).Select(_ => random.Next(1, 9) * 0.25).ToArray();
        var check = new GradientCheck(type);
        var x = check.Input("x", [2, channels, height, width]);
        var w = check.Input("w", [2, channels, outHeight, outWidth]);
        var pooled = check.Graph.Op("MaxPool", [x], Attr.Ints("kernel_shape", k, k), Attr.Ints("strides", k, k));
        var loss = check.Graph.Op("ReduceSum", [check.Graph.Op("Mul", [pooled, w])], Attr.Int("keepdims", 0));
        var gradient = FewShot.Exporters.Autodiff.Gradients.Append(check.Graph, loss, [x])[x];
        check.Graph.Output(gradient);
        using var model = new OrtModel(check.Graph.ToModel());
        var values = model.Run(new Dictionary<string, TestTensor>
        {
            [x] = new(type, [2, channels, height, width], xs),
            [w] = new(type, [2, channels, outHeight, outWidth], ws),
        }, gradient).Values;

        var expected = new double[xs.Length];
        for (var plane = 0; plane < 2 * channels; plane++)
        {
            for (var window = 0; window < outHeight * outWidth; window++)
            {
                var (i, j, best) = (window / outWidth, window % outWidth, -1);
                for (var at = 0; at < k * k; at++)
                {
                    var index = (plane * height * width) + (((i * k) + (at / k)) * width) + (j * k) + (at % k);
                    best = best < 0 || xs[index] > xs[best] ? index : best;
                }

                expected[best] = ws[(plane * outHeight * outWidth) + window];
            }
        }

        Assert.Equal(expected, values);
    }

    [Fact]
    public void NearestUpsamplingByResize()
    {
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [2, 3, 2, 3], declared: ["n", 3, 2, 3]);
        check.Verify(check.Graph.Op("Resize", [x, "", check.Graph.Constant(TensorData.Float("", [4], [1, 1, 2, 3]))], Attr.String("mode", "nearest"),
            Attr.String("coordinate_transformation_mode", "asymmetric"), Attr.String("nearest_mode", "floor")));
    }

    [Fact]
    public void SpaceToDepthAndDepthToSpace()
    {
        var check = new GradientCheck();
        var x = check.Input("x", [2, 3, 4, 6]);
        var depth = check.Graph.Op("SpaceToDepth", [x], Attr.Int("blocksize", 2));
        var scaled = check.Graph.Op("Mul", [depth, check.Input("s", [1, 12, 1, 1])]);
        check.Verify(check.Graph.Op("DepthToSpace", [scaled], Attr.Int("blocksize", 2), Attr.String("mode", "DCR")));
    }

    [Theory]
    [InlineData(new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 0, 0, 0, 0 }, 0)]
    [InlineData(new long[] { 3, 3 }, new long[] { 2, 1 }, new long[] { 1, 1, 1, 1 }, 0)]
    [InlineData(new long[] { 3, 2 }, new long[] { 1, 2 }, new long[] { 1, 0, 1, 1 }, 1)]
    public void AveragePool(long[] kernel, long[] strides, long[] pads, long countIncludePad)
    {
        var check = new GradientCheck(DataType.Float);
        var x = check.Input("x", [2, 3, 5, 6]);
        check.Verify(check.Graph.Op("AveragePool", [x], Attr.Ints("kernel_shape", kernel), Attr.Ints("strides", strides),
            Attr.Ints("pads", pads), Attr.Int("count_include_pad", countIncludePad)));
    }

    [Fact]
    public void GlobalAveragePool()
    {
        var check = new GradientCheck(DataType.Float);
        check.Verify(check.Graph.Op("GlobalAveragePool", [check.Input("x", [2, 3, 4, 5], declared: ["n", 3, 4, 5])]));
    }

    private static double[] Gradients(GradientCheck check, string output, string x)
    {
        var loss = check.Graph.Op("ReduceSum", [output], Attr.Int("keepdims", 0));
        var gradient = FewShot.Exporters.Autodiff.Gradients.Append(check.Graph, loss, [x])[x];
        check.Graph.Output(gradient);
        using var model = new OrtModel(check.Graph.ToModel());
        return model.Run(new Dictionary<string, TestTensor> { [x] = new(DataType.Double, [1, 1, 2, 2], [3, 3, 3, 3]) }, gradient).Values;
    }
}
