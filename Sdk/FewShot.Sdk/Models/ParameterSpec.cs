namespace FewShot.Sdk.Models;

/// <summary>How a parameter is initialized; the rules are PyTorch's defaults, so results compare with the papers' code.</summary>
public enum ParameterInit
{
    /// <summary>U(−1/√fanIn, 1/√fanIn): PyTorch's default for Linear and Conv2d weights and biases.</summary>
    UniformFanIn,

    /// <summary>All ones (batch-norm scale).</summary>
    Ones,

    /// <summary>All zeros (batch-norm shift).</summary>
    Zeros,

    /// <summary>Every element equal to <see cref="ParameterSpec.Value"/> (Meta-SGD's initial learning rates).</summary>
    Constant,
}

/// <summary>One learnable tensor of a model: its name (also its ONNX initializer name), shape and initialization.</summary>
/// <param name="Name">Unique within the model, e.g. "conv1.weight".</param>
/// <param name="Shape">Dimensions, PyTorch's layout (Linear weights are [out, in]).</param>
/// <param name="Init">Initialization rule.</param>
/// <param name="FanIn">Fan-in used by <see cref="ParameterInit.UniformFanIn"/>.</param>
/// <param name="Value">The value used by <see cref="ParameterInit.Constant"/>.</param>
public sealed record ParameterSpec(string Name, long[] Shape, ParameterInit Init, long FanIn = 1, float Value = 0)
{
    /// <summary>Number of elements.</summary>
    public int ElementCount => checked((int)Shape.Aggregate(1L, (a, b) => a * b));

    /// <summary>Fresh values drawn from <paramref name="random"/> according to <see cref="Init"/>.</summary>
    public float[] Initialize(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[ElementCount];
        switch (Init)
        {
            case ParameterInit.Ones:
                Array.Fill(values, 1f);
                break;
            case ParameterInit.Zeros:
                break;
            case ParameterInit.Constant:
                Array.Fill(values, Value);
                break;
            case ParameterInit.UniformFanIn:
                var bound = 1.0 / Math.Sqrt(FanIn);
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
                }

                break;
            default:
                throw new InvalidOperationException($"unknown initialization {Init} for parameter '{Name}'");
        }

        return values;
    }
}
