using FewShot.Exporters.Graphs;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Models;

/// <summary>
/// The learned optimizer of Andrychowicz et al. (2016): a two-layer <see cref="LstmCell"/> stack applied to every coordinate
/// of the optimized parameters independently, with its weights shared across coordinates, so it serves any parameter count.
/// Each coordinate's gradient is preprocessed (their appendix A: (log|∇|/p, sign ∇) when |∇| ≥ e^−p, else (−1, e^p ∇)), runs
/// through the LSTMs and a linear output, and the update is θ − <see cref="OutputScale"/>·output. Its per-coordinate state
/// (h and c of both layers, [P, H] each) starts at zero and is carried from step to step. This file is the description and
/// its ONNX lowering (forward only on a device: the gradient it reads comes from our autodiff); <c>TorchLstmOptimizer</c>
/// is the TorchSharp lowering. Stateless and thread-safe.
/// </summary>
public sealed class LstmOptimizer
{
    /// <summary>p of the gradient preprocessing.</summary>
    public const float Preprocessing = 10f;

    /// <summary>The output's scale (Andrychowicz et al. use 0.1), so that the untrained optimizer takes small steps.</summary>
    public const float OutputScale = 0.1f;

    /// <summary>Describes an optimizer of <paramref name="hiddenSize"/> units per layer (20 in the paper) named under <paramref name="prefix"/>.</summary>
    public LstmOptimizer(int hiddenSize = 20, string prefix = "optimizer")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        Prefix = prefix;
        HiddenSize = hiddenSize;
        First = new LstmCell($"{prefix}.lstm1", 2, hiddenSize);
        Second = new LstmCell($"{prefix}.lstm2", hiddenSize, hiddenSize);
        Parameters =
        [
            .. First.Parameters,
            .. Second.Parameters,
            new ParameterSpec(OutputWeight, [1, hiddenSize], ParameterInit.UniformFanIn, hiddenSize),
            new ParameterSpec(OutputBias, [1], ParameterInit.UniformFanIn, hiddenSize),
        ];
    }

    /// <summary>Prefix of every name.</summary>
    public string Prefix { get; }

    /// <summary>H, units per layer.</summary>
    public int HiddenSize { get; }

    /// <summary>The first layer, over the preprocessed gradient (2 features per coordinate).</summary>
    public LstmCell First { get; }

    /// <summary>The second layer.</summary>
    public LstmCell Second { get; }

    /// <summary>Name of the output layer's weight, [1, H].</summary>
    public string OutputWeight => $"{Prefix}.out.weight";

    /// <summary>Name of the output layer's bias, [1].</summary>
    public string OutputBias => $"{Prefix}.out.bias";

    /// <summary>The learned weights φ: both cells and the output layer.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>The names of the per-coordinate state: h and c of each layer.</summary>
    public IReadOnlyList<string> StateNames => [$"{Prefix}.h1", $"{Prefix}.c1", $"{Prefix}.h2", $"{Prefix}.c2"];

    /// <summary>The state for <paramref name="coordinates"/> coordinates, all zeros initially.</summary>
    public IReadOnlyList<ParameterSpec> State(long coordinates) =>
        [.. StateNames.Select(name => new ParameterSpec(name, [coordinates, HiddenSize], ParameterInit.Zeros))];

    /// <summary>
    /// Appends one step: gradients [P, 1] and the state (by <see cref="StateNames"/>) → the update [P, 1] to subtract from
    /// the parameters and the next state, in <see cref="StateNames"/> order.
    /// </summary>
    public (string Update, string[] State) Step(GraphBuilder g, string gradients, IReadOnlyList<string> state, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        var (h1, c1) = First.Step(g, Preprocess(g, gradients), state[0], state[1], parameters);
        var (h2, c2) = Second.Step(g, h1, state[2], state[3], parameters);
        var output = Layers.Linear(g, h2, parameters[OutputWeight], parameters[OutputBias]);
        return (g.Op("Mul", [output, g.Scalar(OutputScale)]), [h1, c1, h2, c2]);
    }

    /// <summary>[P, 1] gradients → [P, 2] inputs, as <see cref="LstmOptimizer"/> says.</summary>
    private static string Preprocess(GraphBuilder g, string gradients)
    {
        var threshold = g.Scalar(Math.Exp(-Preprocessing));
        var magnitude = g.Op("Abs", [gradients]);
        var large = g.Op("GreaterOrEqual", [magnitude, threshold]);
        var logScale = g.Op("Div", [g.Op("Log", [g.Op("Max", [magnitude, threshold])]), g.Scalar(Preprocessing)]);
        var first = g.Op("Where", [large, logScale, g.Scalar(-1)]);
        var second = g.Op("Where", [large, g.Op("Sign", [gradients]), g.Op("Mul", [gradients, g.Scalar(Math.Exp(Preprocessing))])]);
        return g.Op("Concat", [first, second], Attr.Int("axis", 1));
    }
}
