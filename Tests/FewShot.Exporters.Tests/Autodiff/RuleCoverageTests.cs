using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff;

/// <summary>
/// The registry is closed under differentiation, and everything it emits runs on both of ONNX Runtime's providers:
/// every rule is applied twice (gradient, then gradient of the gradient) and every operator in the result must have
/// a rule itself (or carry no gradient: integer or boolean results, constants) and a CPU and a CUDA kernel.
/// </summary>
public sealed class RuleCoverageTests
{
    /// <summary>
    /// Default-domain operators with kernels on both CPUExecutionProvider and CUDAExecutionProvider at opset 17, from
    /// ONNX Runtime's docs/OperatorKernels.md (checked for every op below; MaxUnpool, for one, has no CUDA kernel).
    /// </summary>
    private static readonly HashSet<string> CpuAndCudaKernels =
    [
        "Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Ceil", "Concat", "Constant", "ConstantOfShape", "Conv", "ConvTranspose", "DepthToSpace", "Div",
        "Equal", "Exp", "Expand", "Flatten", "Floor", "Gather", "GatherElements", "GatherND", "Gemm", "GlobalAveragePool",
        "Greater", "Identity", "LeakyRelu", "Less", "Log", "LogSoftmax", "MatMul", "MaxPool", "Mul", "Neg", "NonZero", "Not",
        "Pad", "Pow", "Range", "Reciprocal", "ReduceMax", "ReduceMean", "ReduceSum", "Relu", "Reshape", "Resize", "Round", "ScatterElements",
        "ScatterND", "Shape", "Sigmoid", "Sign", "Size", "Slice", "Softmax", "Softplus", "SpaceToDepth", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh",
        "Transpose", "Unsqueeze", "Where",
    ];

    /// <summary>Operators that rules emit but that never carry a gradient: their results are integer or boolean, or they read no floating-point value.</summary>
    private static readonly HashSet<string> WithoutGradient = ["Constant", "ConstantOfShape", "Equal", "Greater", "Less", "NonZero", "Range", "Shape", "Size"];

    private static readonly Dictionary<string, Func<GraphBuilder, string, string>> Samples = new()
    {
        ["Add"] = (g, x) => g.Op("Add", [x, g.Op("Exp", [x])]),
        ["Sub"] = (g, x) => g.Op("Sub", [x, g.Op("Exp", [x])]),
        ["Mul"] = (g, x) => g.Op("Mul", [x, g.Op("Exp", [x])]),
        ["Div"] = (g, x) => g.Op("Div", [x, g.Op("Exp", [x])]),
        ["Pow"] = (g, x) => g.Op("Pow", [x, g.Scalar(3)]),
        ["Where"] = (g, x) => g.Op("Where", [g.Op("Greater", [x, g.Scalar(0)]), x, g.Op("Exp", [x])]),
        ["Cast"] = (g, x) => g.Op("Cast", [x], Attr.Int("to", (long)DataType.Double)),
        ["Sum"] = (g, x) => g.Op("Sum", [x, x, g.Op("Exp", [x])]),
        ["MatMul"] = (g, x) => g.Op("MatMul", [x, g.Op("Transpose", [x], Attr.Ints("perm", 0, 1, 3, 2))]),
        ["Gemm"] = (g, x) => g.Op("Gemm", [Matrix(g, x), Matrix(g, x), g.Scalar(1)], Attr.Int("transB", 1), Attr.Float("beta", 2)),
        ["Conv"] = (g, x) => g.Op("Conv", [x, g.Op("Slice", [x, g.Int64s(0), g.Int64s(3), g.Int64s(0)])], Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1)),
        ["ConvTranspose"] = (g, x) => g.Op("ConvTranspose", [x, g.Op("Transpose", [x], Attr.Ints("perm", 1, 0, 2, 3))], Attr.Ints("strides", 2, 2), Attr.Ints("output_padding", 1, 1)),
        // Overlapping windows route through the Indices, tiling ones block-wise: both lowerings are differentiated.
        ["MaxPool"] = (g, x) => g.Op("Add", [
            g.Op("ReduceSum", [g.Op("MaxPool", [x], Attr.Ints("kernel_shape", 3, 3), Attr.Ints("strides", 1, 1))], Attr.Int("keepdims", 0)),
            g.Op("ReduceSum", [g.Op("MaxPool", [x], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", 2, 2))], Attr.Int("keepdims", 0))]),
        ["Resize"] = (g, x) => g.Op("Resize", [x, "", g.Constant(TensorData.Float("", [4], [1, 1, 2, 3]))], Attr.String("mode", "nearest"),
            Attr.String("coordinate_transformation_mode", "asymmetric"), Attr.String("nearest_mode", "floor")),
        ["SpaceToDepth"] = (g, x) => g.Op("SpaceToDepth", [g.Op("Slice", [x, g.Int64s(0), g.Int64s(4), g.Int64s(3)])], Attr.Int("blocksize", 2)),
        ["DepthToSpace"] = (g, x) => g.Op("DepthToSpace", [g.Op("Reshape", [x, g.Int64s(2, 12, 5, 1)])], Attr.Int("blocksize", 2), Attr.String("mode", "DCR")),
        ["AveragePool"] = (g, x) => g.Op("AveragePool", [x], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("pads", 1, 1, 1, 1)),
        ["ReduceSum"] = (g, x) => g.Op("ReduceSum", [x, g.Int64s(1)], Attr.Int("keepdims", 0)),
        ["ReduceMean"] = (g, x) => g.Op("ReduceMean", [x], Attr.Ints("axes", 2), Attr.Int("keepdims", 0)),
        ["ReduceMax"] = (g, x) => g.Op("ReduceMax", [x], Attr.Ints("axes", 3), Attr.Int("keepdims", 0)),
        ["Reshape"] = (g, x) => g.Op("Reshape", [x, g.Int64s(0, -1)]),
        ["Squeeze"] = (g, x) => g.Op("Squeeze", [g.Op("ReduceSum", [x, g.Int64s(1)]), g.Int64s(1)]),
        ["Unsqueeze"] = (g, x) => g.Op("Unsqueeze", [x, g.Int64s(0)]),
        ["Expand"] = (g, x) => g.Op("Expand", [x, g.Int64s(2, 1, 1, 1, 1)]),
        ["Transpose"] = (g, x) => g.Op("Transpose", [x], Attr.Ints("perm", 3, 1, 0, 2)),
        ["Concat"] = (g, x) => g.Op("Concat", [x, g.Op("Exp", [x])], Attr.Int("axis", 1)),
        ["Slice"] = (g, x) => g.Op("Slice", [g.Op("Slice", [x, g.Int64s(1), g.Int64s(4), g.Int64s(3)]), g.Int64s(3, 0), g.Int64s(0, 2), g.Int64s(2, 3), g.Int64s(-1, 2)]),
        ["Pad"] = (g, x) => g.Op("Pad", [x, g.Int64s(0, 1, 0, 2, 0, 0, 1, 0)]),
        ["Gather"] = (g, x) => g.Op("Gather", [x, g.Int64s(0, 2, 2)], Attr.Int("axis", 2)),
        ["GatherElements"] = (g, x) => g.Op("GatherElements", [x, g.Op("Reshape", [g.Int64s(0, 1), g.Int64s(1, 2, 1, 1)])]),
        ["ScatterElements"] = (g, x) => g.Op("ScatterElements", [x, g.Op("Reshape", [g.Int64s(1, 0), g.Int64s(2, 1, 1, 1)]), g.Op("ReduceSum", [x, g.Int64s(1, 2, 3)])]),
        ["GatherND"] = (g, x) => g.Op("GatherND", [x, g.Op("Reshape", [g.Int64s(1, 0), g.Int64s(2, 1)])]),
        ["BatchNormalization"] = (g, x) => g.Op("BatchNormalization", [x, .. new[] { 1.5, 0.5, 0.1, 2.0 }.Select(v => g.Op("Expand", [g.Scalar(v), g.Int64s(3)]))]),
        ["ScatterND"] = (g, x) => g.Op("ScatterND", [x, g.Op("Reshape", [g.Int64s(1), g.Int64s(1, 1)]), g.Op("Gather", [x, g.Int64s(0)])]),
    };

    [Fact]
    public void EveryEmittedOpHasARuleAndBothKernels()
    {
        var registry = GradientRegistry.Default;
        var emitted = new HashSet<string>();
        foreach (var op in registry.OpTypes)
        {
            var g = new GraphBuilder();
            var x = g.Input("x", DataType.Float, 2, 3, 4, 5);
            var y = Samples.TryGetValue(op, out var sample) ? sample(g, x) : g.Op(op, [x]);
            var forward = g.Graph.Node.Count;
            var loss = g.Op("ReduceSum", [g.Op("Mul", [y, y])], Attr.Int("keepdims", 0));
            var gradient = Gradients.Append(g, loss, [x])[x];
            var direction = g.Input("v", DataType.Float, 2, 3, 4, 5);
            Gradients.Append(g, g.Op("ReduceSum", [g.Op("Mul", [gradient, direction])], Attr.Int("keepdims", 0)), [x]);
            emitted.UnionWith(g.Graph.Node.Skip(forward).Select(n => n.OpType));
        }

        Assert.Equal([], emitted.Where(op => !registry.Contains(op) && !WithoutGradient.Contains(op)).Order().ToArray());
        Assert.Equal([], emitted.Concat(registry.OpTypes).Where(op => !CpuAndCudaKernels.Contains(op)).Distinct().Order().ToArray());
    }

    [Fact]
    public void EveryRegisteredOpIsExercised()
    {
        var unary = new HashSet<string> { "Identity", "Neg", "Sqrt", "Exp", "Log", "Abs", "Reciprocal", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
            "Softplus", "Sign", "Floor", "Ceil", "Round", "Softmax", "LogSoftmax", "Flatten", "GlobalAveragePool" };
        Assert.Equal([], GradientRegistry.Default.OpTypes.Where(op => !Samples.ContainsKey(op) && !unary.Contains(op)).ToArray());
    }

    private static string Matrix(GraphBuilder g, string x) => g.Op("Reshape", [x, g.Int64s(6, 20)]);
}
