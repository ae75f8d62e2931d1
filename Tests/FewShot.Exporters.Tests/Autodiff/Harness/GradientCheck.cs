using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Tests.Shared;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Autodiff.Harness;

/// <summary>
/// Checks gradients against central finite differences. A test builds f(inputs) on <see cref="Graph"/>; the check
/// reduces the output to the scalar L = Σ output ⊙ W (W random, fixed), appends g = dL/dinputs, validates the model with
/// the ONNX checker, runs it in ONNX Runtime and compares every gradient element with (L(x + h) − L(x − h)) / 2h.
/// It then differentiates the gradient graph again: for random directions v it appends Hv = d(Σ g ⊙ v)/dinputs and
/// compares it with (g(x + hv) − g(x − hv)) / 2h, so every rule's backward nodes are themselves checked as differentiable.
/// </summary>
/// <remarks>
/// Tolerances. float64: h = 1e-5 leaves a truncation error h²·|f‴|/6 ≈ 1e-11 and a rounding error ≈ 1e-16·|L|/h ≈ 1e-10,
/// so 1e-6 (relative to the largest gradient element, at least 1) fails any wrong rule and no right one.
/// float32 (ops that ORT runs only in float32: Conv, pooling, Softplus, ...): the loss is computed with ε ≈ 6e-8 over
/// sums of at most a few hundred O(1) terms, so each evaluation is off by ≲ 1e-5 and the difference quotient with
/// h = 1e-2 by ≲ 1e-3, while the truncation error is h²·|f‴|/6 ≲ 1e-4 for the smooth functions tested. A tolerance
/// of 5e-3 (same scale) is therefore safe, and a wrong rule (off by O(1)) still fails it by orders of magnitude.
/// </remarks>
internal sealed class GradientCheck(DataType type = DataType.Double, int seed = 7)
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, TestTensor> _feeds = new(StringComparer.Ordinal);
    private readonly List<string> _differentiable = [];

    public GraphBuilder Graph { get; } = new("gradient_check");

    public DataType Type { get; } = type;

    public double Step { get; init; } = type == DataType.Double ? 1e-5 : 1e-2;

    public double Tolerance { get; init; } = type == DataType.Double ? 1e-6 : 5e-3;

    /// <summary>Whether <see cref="Verify"/> also checks Hessian-vector products (second order).</summary>
    public bool SecondOrder { get; init; } = true;

    /// <summary>The model of the last <see cref="Verify"/>: forward, loss and gradients.</summary>
    public ModelProto? Model { get; private set; }

    /// <summary>A floating-point input with random values, differentiated by <see cref="Verify"/>. <paramref name="declared"/> may use symbols.</summary>
    public string Input(string name, long[] shape, ValueKind kind = ValueKind.Normal, Dim[]? declared = null)
    {
        Graph.Input(name, Type, declared ?? shape.Select(d => (Dim)d).ToArray());
        _feeds[name] = TestTensor.Random(_random, Type, shape, kind);
        _differentiable.Add(name);
        return name;
    }

    /// <summary>An int64 input (indices, labels), not differentiated.</summary>
    public string Indices(string name, long[] shape, IEnumerable<long> values, Dim[]? declared = null)
    {
        Graph.Input(name, DataType.Int64, declared ?? shape.Select(d => (Dim)d).ToArray());
        _feeds[name] = TestTensor.Integers(DataType.Int64, shape, values);
        return name;
    }

    /// <summary>A constant of the check's element type with random values (not differentiated).</summary>
    public string Constant(string name, long[] shape, ValueKind kind = ValueKind.Normal)
    {
        var values = TestTensor.Random(_random, Type, shape, kind).Values;
        return Graph.Initializer(Type == DataType.Double ? TensorData.Double(name, shape, values) : TensorData.Float(name, shape, values.Select(v => (float)v).ToArray()));
    }

    /// <summary>Appends the gradients of Σ output ⊙ W (and Hessian-vector products) and asserts that they match finite differences.</summary>
    /// <returns>The gradient values, keyed by input.</returns>
    public IReadOnlyDictionary<string, string> Verify(string output, GradientOptions? options = null)
    {
        // W is an input declared with the output's static shape (symbols included), so the loss broadcasts nothing.
        var declared = new ShapeInference(Graph).Shape(output)!.Select(d => d.IsFixed || !d.Symbol!.StartsWith('?') ? d : (Dim)"loss_dim").ToArray();
        var weights = Graph.Input("loss_weights", Type, declared);
        _feeds[weights] = TestTensor.Random(_random, Type, ForwardShape(output));
        var loss = Graph.Op("ReduceSum", [Graph.Op("Mul", [output, weights])], Attr.Int("keepdims", 0));
        var gradients = Gradients.Append(Graph, loss, _differentiable, options);
        var products = SecondOrder ? HessianVectorProducts(gradients) : new Dictionary<string, string>();
        Graph.Output(loss, []);
        foreach (var value in gradients.Values.Concat(products.Values).Distinct())
        {
            Graph.Output(value);
        }

        Model = Graph.ToModel();
        OnnxChecker.AssertValid(OnnxModelFile.ToBytes(Model), $"the gradient graph of {output}");
        using var model = new OrtModel(Model);
        var computed = model.Run(_feeds, gradients.Values.Concat(products.Values).Distinct().ToArray());
        foreach (var input in _differentiable)
        {
            Compare(model, loss, input, computed[gradients[input]]);
        }

        if (SecondOrder)
        {
            CompareProducts(model, gradients, products.ToDictionary(p => p.Key, p => computed[p.Value]));
        }

        return gradients;
    }

    /// <summary>Appends d(Σᵢ gᵢ ⊙ vᵢ)/dinputs for random directions vᵢ fed as inputs "direction_i".</summary>
    private Dictionary<string, string> HessianVectorProducts(IReadOnlyDictionary<string, string> gradients)
    {
        var terms = new List<string>();
        foreach (var input in _differentiable)
        {
            var direction = Graph.Input($"direction_{input}", Type, Graph.TryGetShape(input, out var shape) ? [.. shape] : []);

            // Small directions keep x ± h·v away from kinks and ties that the inputs were drawn to avoid.
            _feeds[direction] = TestTensor.Random(_random, Type, _feeds[input].Shape) is var v ? v with { Values = v.Values.Select(e => e / 4).ToArray() } : null!;
            terms.Add(Graph.Op("ReduceSum", [Graph.Op("Mul", [gradients[input], direction])], Attr.Int("keepdims", 0)));
        }

        var total = terms.Count == 1 ? terms[0] : Graph.Op("Sum", terms.ToArray());
        return Gradients.Append(Graph, total, _differentiable).ToDictionary(p => p.Key, p => p.Value);
    }

    private void CompareProducts(OrtModel model, IReadOnlyDictionary<string, string> gradients, Dictionary<string, TestTensor> products)
    {
        Dictionary<string, TestTensor> At(double sign)
        {
            var feeds = new Dictionary<string, TestTensor>(_feeds);
            foreach (var input in _differentiable)
            {
                feeds[input] = _feeds[input].Plus(_feeds[$"direction_{input}"], sign * Step);
            }

            return model.Run(feeds, _differentiable.Select(i => gradients[i]).Distinct().ToArray());
        }

        var (plus, minus) = (At(1), At(-1));
        foreach (var input in _differentiable)
        {
            var product = products[input];
            var scale = Math.Max(1, product.MaxAbs());
            for (var i = 0; i < product.Values.Length; i++)
            {
                var numeric = (plus[gradients[input]].Values[i] - minus[gradients[input]].Values[i]) / (2 * Step);
                var error = Math.Abs(numeric - product.Values[i]);
                Assert.True(error <= Tolerance * scale,
                    $"(Hv)[{input}][{i}]: autodiff {product.Values[i]:G9}, finite differences of the gradient {numeric:G9} (error {error:G3} > {Tolerance * scale:G3})");
            }
        }
    }

    private long[] ForwardShape(string output)
    {
        var probe = Graph.Graph.Clone();
        var builder = GraphBuilder.Edit(probe);
        builder.Output(output);
        using var model = new OrtModel(builder.ToModel());
        return model.Run(_feeds, output).Shape;
    }

    private void Compare(OrtModel model, string loss, string input, TestTensor gradient)
    {
        var x = _feeds[input];
        Assert.Equal(x.Shape, gradient.Shape);
        var scale = Math.Max(1, gradient.MaxAbs());
        for (long i = 0; i < x.Count; i++)
        {
            double At(double delta) => model.Run(new Dictionary<string, TestTensor>(_feeds) { [input] = x.Nudged(i, delta) }, loss).Values[0];
            var numeric = (At(Step) - At(-Step)) / (2 * Step);
            var error = Math.Abs(numeric - gradient.Values[i]);
            Assert.True(error <= Tolerance * scale,
                $"d{loss}/d{input}[{i}]: autodiff {gradient.Values[i]:G9}, finite differences {numeric:G9} (error {error:G3} > {Tolerance * scale:G3})");
        }
    }
}
