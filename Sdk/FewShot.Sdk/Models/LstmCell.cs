using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>
/// A standard LSTM cell (Hochreiter &amp; Schmidhuber 1997; PyTorch's LSTMCell with its two biases folded into one), described
/// once for the learners that need one: the learned optimizer, MANN's controller, a parameter generator. This file is its
/// ONNX lowering, written with plain operators (Gemm, MatMul, Slice, Sigmoid, Tanh, Mul, Add) that every runtime runs and
/// that our autodiff differentiates; <c>TorchLstmCell</c> is its TorchSharp lowering, and parity tests hold the two equal.
/// Gates, in PyTorch's order i, f, g, o: [i f g o] = x·W_ihᵀ + h·W_hhᵀ + b; c′ = σ(f)⊙c + σ(i)⊙tanh(g); h′ = σ(o)⊙tanh(c′).
/// Stateless and thread-safe.
/// </summary>
public sealed class LstmCell
{
    /// <summary>Creates the cell's description.</summary>
    /// <param name="prefix">Prefix of its parameter names, e.g. "optimizer.lstm1" gives "optimizer.lstm1.weight_ih".</param>
    /// <param name="inputSize">I, the features per row of x.</param>
    /// <param name="hiddenSize">H, the size of h and c.</param>
    public LstmCell(string prefix, int inputSize, int hiddenSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        Prefix = prefix;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Parameters =
        [
            new ParameterSpec(WeightIh, [4L * hiddenSize, inputSize], ParameterInit.UniformFanIn, hiddenSize),
            new ParameterSpec(WeightHh, [4L * hiddenSize, hiddenSize], ParameterInit.UniformFanIn, hiddenSize),
            new ParameterSpec(Bias, [4L * hiddenSize], ParameterInit.UniformFanIn, hiddenSize),
        ];
    }

    /// <summary>Prefix of the parameter names.</summary>
    public string Prefix { get; }

    /// <summary>I.</summary>
    public int InputSize { get; }

    /// <summary>H.</summary>
    public int HiddenSize { get; }

    /// <summary>Name of W_ih, [4H, I].</summary>
    public string WeightIh => $"{Prefix}.weight_ih";

    /// <summary>Name of W_hh, [4H, H].</summary>
    public string WeightHh => $"{Prefix}.weight_hh";

    /// <summary>Name of b, [4H].</summary>
    public string Bias => $"{Prefix}.bias";

    /// <summary>W_ih, W_hh, b: PyTorch's U(−1/√H, 1/√H) for each.</summary>
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Appends one step over a batch: x [n, I], h [n, H], c [n, H] → (h′, c′), each [n, H].</summary>
    /// <param name="g">The graph to append to.</param>
    /// <param name="x">The input rows.</param>
    /// <param name="h">The previous hidden state.</param>
    /// <param name="c">The previous cell state.</param>
    /// <param name="parameters">Parameter name → value name; must hold this cell's three parameters.</param>
    public (string H, string C) Step(GraphBuilder g, string x, string h, string c, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(parameters);
        var gates = g.Op("Add", [
            Layers.Linear(g, x, parameters[WeightIh], parameters[Bias]),
            g.Op("MatMul", [h, g.Op("Transpose", [parameters[WeightHh]], Attr.Ints("perm", 1, 0))]),
        ]);
        string Gate(int k) => g.Op("Slice", [gates, g.Int64s(k * (long)HiddenSize), g.Int64s((k + 1) * (long)HiddenSize), g.Int64s(1)]);
        var input = g.Op("Sigmoid", [Gate(0)]);
        var forget = g.Op("Sigmoid", [Gate(1)]);
        var candidate = g.Op("Tanh", [Gate(2)]);
        var output = g.Op("Sigmoid", [Gate(3)]);
        var cell = g.Op("Add", [g.Op("Mul", [forget, c]), g.Op("Mul", [input, candidate])]);
        var hidden = g.Op("Mul", [output, g.Op("Tanh", [cell])]);
        return (hidden, cell);
    }
}
