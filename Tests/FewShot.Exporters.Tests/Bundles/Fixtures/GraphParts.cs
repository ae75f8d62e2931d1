using FewShot.Bundles;
using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Tests.Bundles;

/// <summary>Graph pieces the test bundles are made of: layers, losses, inner-loop steps, declared outputs.</summary>
internal static class GraphParts
{
    /// <summary>Declares every parameter as a float graph input of its θ₀ shape; returns name → value name (the same).</summary>
    public static Dictionary<string, string> ParameterInputs(GraphBuilder g, IEnumerable<TensorProto> parameters)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (TensorProto p in parameters)
        {
            values[p.Name] = g.Input(p.Name, DataType.Float, [.. p.Dims.Select(d => (Dim)d)]);
        }

        return values;
    }

    /// <summary>PyTorch's Linear: x·Wᵀ + b.</summary>
    public static string Linear(GraphBuilder g, string x, IReadOnlyDictionary<string, string> p, string layer) =>
        g.Op("Gemm", [x, p[$"{layer}.weight"], p[$"{layer}.bias"]], Attr.Int("transB", 1));

    /// <summary>
    /// Unrolls <paramref name="steps"/> SGD steps θ ← θ − α·∇loss on <paramref name="adapted"/>; returns the final value
    /// of every parameter. <paramref name="loss"/> builds the loss from the current values.
    /// </summary>
    public static Dictionary<string, string> Unroll(
        GraphBuilder g, Dictionary<string, string> current, IReadOnlyList<string> adapted, int steps,
        Func<IReadOnlyDictionary<string, string>, string> loss, Func<string, string> rate) =>
        Unroll(g, current, adapted, steps, loss, (_, name) => rate(name));

    /// <summary>As the other overload, with a step size that may depend on the step's index: rate(step, name).</summary>
    public static Dictionary<string, string> Unroll(
        GraphBuilder g, Dictionary<string, string> current, IReadOnlyList<string> adapted, int steps,
        Func<IReadOnlyDictionary<string, string>, string> loss, Func<int, string, string> rate)
    {
        var values = new Dictionary<string, string>(current, StringComparer.Ordinal);
        for (int step = 0; step < steps; step++)
        {
            var wrt = adapted.Select(n => values[n]).ToList();
            IReadOnlyDictionary<string, string> grads = Gradients.Append(g, loss(values), wrt);
            foreach (string name in adapted)
            {
                values[name] = g.Op("Sub", [values[name], g.Op("Mul", [grads[values[name]], rate(step, name)])]);
            }
        }

        return values;
    }

    /// <summary>Outputs "adapted.&lt;name&gt;" for every adapted parameter, with θ₀'s shape.</summary>
    public static void AdaptedOutputs(GraphBuilder g, IReadOnlyDictionary<string, string> values, IEnumerable<TensorProto> adapted)
    {
        foreach (TensorProto p in adapted)
        {
            string output = BundleNames.Adapted(p.Name);
            g.Node("Identity", [values[p.Name]], [output]);
            g.Output(output, [.. p.Dims.Select(d => (Dim)d)]);
        }
    }

    /// <summary>Names <paramref name="value"/> <paramref name="name"/> and declares it an output of the given shape.</summary>
    public static void NamedOutput(GraphBuilder g, string value, string name, params Dim[] shape)
    {
        g.Node("Identity", [value], [name]);
        g.Output(name, shape);
    }

    /// <summary>Per-class means of <paramref name="embeddings"/> [n, D] for class indices [n]: [N, D], N = max index + 1.</summary>
    public static string Prototypes(GraphBuilder g, string embeddings, string labels)
    {
        string classCount = g.Op("Add", [g.Op("ReduceMax", [labels], Attr.Int("keepdims", 0)), g.Constant(TensorData.Int64("", [], [1L]))]);
        string classes = g.Op("Range", [g.Constant(TensorData.Int64("", [], [0L])), classCount, g.Constant(TensorData.Int64("", [], [1L]))]);
        string member = g.Op("Equal", [g.Op("Unsqueeze", [labels, g.Int64s(1)]), g.Op("Unsqueeze", [classes, g.Int64s(0)])]);
        string oneHot = g.Op("Cast", [member], Attr.Int("to", (long)DataType.Float));
        string sums = g.Op("MatMul", [g.Op("Transpose", [oneHot]), embeddings]);
        string counts = g.Op("Transpose", [g.Op("ReduceSum", [oneHot, g.Int64s(0)], Attr.Int("keepdims", 1))]);
        return g.Op("Div", [sums, counts]);
    }

    /// <summary>A float tensor of <paramref name="dims"/> filled from <paramref name="random"/> in [−scale, scale).</summary>
    public static TensorProto RandomTensor(string name, Random random, float scale, params long[] dims)
    {
        var values = new float[dims.Aggregate(1L, (p, d) => p * d)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return TensorData.Float(name, dims, values);
    }
}
