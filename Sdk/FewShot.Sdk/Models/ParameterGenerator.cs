using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Models;

/// <summary>
/// An LSTM that writes some of a network's parameters from a set of examples: an <see cref="LstmCell"/> reads the examples'
/// codes one by one from a zero state, its hidden states are averaged over the sequence (so the result hardly depends on the
/// order), and one linear layer per target tensor maps that mean to the tensor's value. The layers' weights start at zero
/// and their biases with the target's own initialization, so before meta-training the generator writes the same
/// task-independent values for every set: a plain network, from which meta-training learns how a set should change it.
/// This file is the description and its ONNX lowering (forward only: a Scan over the set); <c>TorchParameterGenerator</c> is
/// the TorchSharp lowering. Stateless and thread-safe.
/// </summary>
public sealed class ParameterGenerator
{
    /// <summary>Describes the generator.</summary>
    /// <param name="inputSize">I, the code of one example.</param>
    /// <param name="targets">The tensors it writes (their names, shapes and initializations).</param>
    /// <param name="hiddenSize">H, the LSTM's units.</param>
    /// <param name="prefix">Prefix of every name.</param>
    public ParameterGenerator(int inputSize, IReadOnlyList<ParameterSpec> targets, int hiddenSize = 64, string prefix = "generator")
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (targets.Count == 0)
        {
            throw new ArgumentException("a parameter generator needs at least one tensor to write", nameof(targets));
        }

        (InputSize, HiddenSize, Prefix, Targets) = (inputSize, hiddenSize, prefix, [.. targets]);
        Cell = new LstmCell($"{prefix}.lstm", inputSize, hiddenSize);
        Parameters =
        [
            .. Cell.Parameters,
            .. targets.SelectMany(t => new[]
            {
                new ParameterSpec(WeightOf(t.Name), [t.ElementCount, hiddenSize], ParameterInit.Zeros),
                t with { Name = BiasOf(t.Name) },
            }),
        ];
    }

    /// <summary>I.</summary>
    public int InputSize { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>Prefix of every name.</summary>
    public string Prefix { get; }

    /// <summary>The tensors it writes.</summary>
    public IReadOnlyList<ParameterSpec> Targets { get; }

    /// <summary>The LSTM that reads the set.</summary>
    public LstmCell Cell { get; }

    /// <summary>The LSTM's weights, then each target's output weight [elements, H] and bias (shaped like the target).</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Name of the output weight that writes <paramref name="target"/>: "generator.expand_bias.weight" writes "expand.bias".</summary>
    public string WeightOf(string target) => $"{Prefix}.{Layer(target)}.weight";

    /// <summary>
    /// Name of the output bias that writes <paramref name="target"/>: the value the generator writes for a set whose mean
    /// hidden state is zero, and the network's value when nothing has been generated.
    /// </summary>
    public string BiasOf(string target) => $"{Prefix}.{Layer(target)}.bias";

    /// <summary>Appends the generator over codes [n, I] (n ≥ 1); returns each target's name → its generated value (the target's shape).</summary>
    public IReadOnlyDictionary<string, string> Generate(GraphBuilder g, string codes, IReadOnlyDictionary<string, string> p)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(p);
        var zeros = g.Op("ConstantOfShape", [g.Int64s(1, HiddenSize)]);
        var scan = g.OpN("Scan", [zeros, zeros, codes], 3, Attr.Graph("body", Body(g)), Attr.Int("num_scan_inputs", 1));

        // The per-step hidden states come out stacked, [n, 1, H]; their mean is [1, H].
        var mean = g.Op("ReduceMean", [scan[2]], Attr.Ints("axes", 0), Attr.Int("keepdims", 0));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var target in Targets)
        {
            var flat = Layers.Linear(g, mean, p[WeightOf(target.Name)], g.Op("Reshape", [p[BiasOf(target.Name)], g.Int64s(-1)]));
            values[target.Name] = g.Op("Reshape", [flat, g.Int64s(target.Shape)]);
        }

        return values;
    }

    private static string Layer(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        return target.Replace('.', '_');
    }

    // One step of the sequence: h, c [1, H] and x_t [I] → h′, c′ and h′ again as the step's scan output.
    private GraphProto Body(GraphBuilder outer)
    {
        // A reserved, unique tag names the body's inputs, so that two generators in one graph never share a name.
        var tag = outer.UniqueName("generator_step");
        var body = outer.Subgraph(tag);
        var h = body.Input($"{tag}.h", DataType.Float, 1, HiddenSize);
        var c = body.Input($"{tag}.c", DataType.Float, 1, HiddenSize);
        var x = body.Input($"{tag}.x", DataType.Float, InputSize);
        var parameters = Cell.Parameters.ToDictionary(s => s.Name, s => s.Name, StringComparer.Ordinal);
        var (nextH, nextC) = Cell.Step(body, body.Op("Unsqueeze", [x, body.Int64s(0)]), h, c, parameters);
        body.Output(body.Op("Identity", [nextH]));
        body.Output(body.Op("Identity", [nextC]));
        body.Output(body.Op("Identity", [nextH]));
        return body.Graph;
    }
}
