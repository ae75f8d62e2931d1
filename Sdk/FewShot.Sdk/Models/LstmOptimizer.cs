using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// The Meta-Learner LSTM of Ravi &amp; Larochelle (2017), applied to every coordinate of the optimized parameters with its
/// weights shared across coordinates. A standard <see cref="LstmCell"/> reads each coordinate's preprocessed gradient and
/// loss (Andrychowicz et al. 2016, appendix A: (log|v|/p, sign v) when |v| ≥ e^−p, else (−1, e^p v)); a second cell whose
/// cell state is the parameter itself then updates it: θ_t = f_t ⊙ θ_{t−1} − i_t ⊙ ∇_t, with gates
/// i_t = σ(W_I·[h_t, θ_{t−1}, i_{t−1}] + b_I) and f_t = σ(W_F·[h_t, θ_{t−1}, f_{t−1}] + b_F). The biases start so that
/// f ≈ 1 and i ≈ a given step size, so the untrained optimizer is SGD and meta-training learns from there. Its state per
/// coordinate (the first cell's h and c, the previous i and f) starts at zero and is carried from step to step. This file is
/// the description and its ONNX lowering (forward only on a device: the gradient it reads comes from our autodiff);
/// <c>TorchLstmOptimizer</c> is the TorchSharp lowering. Stateless and thread-safe.
/// </summary>
public sealed class LstmOptimizer
{
    /// <summary>p of the input preprocessing.</summary>
    public const float Preprocessing = 10f;

    /// <summary>The forget gate's initial bias: σ(5) ≈ 0.993, so the parameters are kept.</summary>
    public const float ForgetBias = 5f;

    /// <summary>Describes an optimizer of <paramref name="hiddenSize"/> units (20 in the paper) whose input gate starts at <paramref name="initialStep"/>.</summary>
    public LstmOptimizer(float initialStep, int hiddenSize = 20, string prefix = "optimizer")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!(initialStep is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(initialStep), initialStep, "the input gate is a sigmoid, so the initial step size must lie in (0, 1)");
        }

        Prefix = prefix;
        HiddenSize = hiddenSize;
        Cell = new LstmCell($"{prefix}.lstm", 4, hiddenSize);
        Parameters =
        [
            .. Cell.Parameters,
            new ParameterSpec(InputWeight, [1, hiddenSize + 2], ParameterInit.UniformFanIn, hiddenSize + 2),
            new ParameterSpec(InputBias, [1], ParameterInit.Constant, Value: MathF.Log(initialStep / (1 - initialStep))),
            new ParameterSpec(ForgetWeight, [1, hiddenSize + 2], ParameterInit.UniformFanIn, hiddenSize + 2),
            new ParameterSpec(ForgetBiasName, [1], ParameterInit.Constant, Value: ForgetBias),
        ];
    }

    /// <summary>Prefix of every name.</summary>
    public string Prefix { get; }

    /// <summary>H, the first cell's units.</summary>
    public int HiddenSize { get; }

    /// <summary>The first layer, over the preprocessed gradient and loss (4 features per coordinate).</summary>
    public LstmCell Cell { get; }

    /// <summary>Name of W_I, [1, H + 2].</summary>
    public string InputWeight => $"{Prefix}.input.weight";

    /// <summary>Name of b_I, [1].</summary>
    public string InputBias => $"{Prefix}.input.bias";

    /// <summary>Name of W_F, [1, H + 2].</summary>
    public string ForgetWeight => $"{Prefix}.forget.weight";

    /// <summary>Name of b_F, [1].</summary>
    public string ForgetBiasName => $"{Prefix}.forget.bias";

    /// <summary>The learned weights φ: the cell's, then W_I, b_I, W_F, b_F.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>The names of the per-coordinate state: the cell's h and c, the previous input and forget gates.</summary>
    public IReadOnlyList<string> StateNames => [$"{Prefix}.h", $"{Prefix}.c", $"{Prefix}.i", $"{Prefix}.f"];

    /// <summary>The state for <paramref name="coordinates"/> coordinates, all zeros initially.</summary>
    public IReadOnlyList<ParameterSpec> State(long coordinates) =>
    [
        new(StateNames[0], [coordinates, HiddenSize], ParameterInit.Zeros),
        new(StateNames[1], [coordinates, HiddenSize], ParameterInit.Zeros),
        new(StateNames[2], [coordinates, 1], ParameterInit.Zeros),
        new(StateNames[3], [coordinates, 1], ParameterInit.Zeros),
    ];

    /// <summary>
    /// Appends one step: the parameters θ [P, 1], their gradients [P, 1], the loss (a scalar) and the state (by
    /// <see cref="StateNames"/>) → θ′ [P, 1] and the next state, in <see cref="StateNames"/> order.
    /// </summary>
    public (string Theta, string[] State) Step(GraphBuilder g, string theta, string gradients, string loss, IReadOnlyList<string> state, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        var losses = g.Op("Expand", [g.Op("Reshape", [loss, g.Int64s(1, 1)]), g.Op("Shape", [gradients])]);
        var input = g.Op("Concat", [Preprocess(g, gradients), Preprocess(g, losses)], Attr.Int("axis", 1));
        var (h, c) = Cell.Step(g, input, state[0], state[1], parameters);
        string Gate(string previous, string weight, string bias) =>
            g.Op("Sigmoid", [Layers.Linear(g, g.Op("Concat", [h, theta, previous], Attr.Int("axis", 1)), parameters[weight], parameters[bias])]);
        var i = Gate(state[2], InputWeight, InputBias);
        var f = Gate(state[3], ForgetWeight, ForgetBiasName);
        var next = g.Op("Sub", [g.Op("Mul", [f, theta]), g.Op("Mul", [i, gradients])]);
        return (next, [h, c, i, f]);
    }

    /// <summary>[P, 1] values → [P, 2] inputs, as <see cref="LstmOptimizer"/> says.</summary>
    private static string Preprocess(GraphBuilder g, string values)
    {
        var threshold = g.Scalar(Math.Exp(-Preprocessing));
        var magnitude = g.Op("Abs", [values]);
        var large = g.Op("GreaterOrEqual", [magnitude, threshold]);
        var logScale = g.Op("Div", [g.Op("Log", [g.Op("Max", [magnitude, threshold])]), g.Scalar(Preprocessing)]);
        var first = g.Op("Where", [large, logScale, g.Scalar(-1)]);
        var second = g.Op("Where", [large, g.Op("Sign", [values]), g.Op("Mul", [values, g.Scalar(Math.Exp(Preprocessing))])]);
        return g.Op("Concat", [first, second], Attr.Int("axis", 1));
    }
}
