namespace FewShot.Sdk.Data;

/// <summary>
/// A user's labelled examples in one NumPy .npz: <c>x</c> <c>[n, …]</c> (the inputs) and <c>y</c> <c>[n]</c> (integer
/// class labels), the names and layout that <c>fewshot adapt --support</c> reads, so one file serves training and adapting.
/// </summary>
public static class LabeledArrays
{
    /// <summary>The array of inputs.</summary>
    public const string InputsName = "x";

    /// <summary>The array of labels.</summary>
    public const string LabelsName = "y";

    /// <summary>
    /// Reads <paramref name="path"/> into a dataset of one class per distinct label (<see cref="InMemoryDataset.FromLabeledExamples"/>):
    /// <c>x</c> of shape <c>[n, channels, height, width]</c> or <c>[n, height, width]</c> (images, given a channel axis) or
    /// <c>[n, features]</c>, any supported dtype (bool, uint8, int32, int64, float32, float64; converted to float32, not
    /// scaled), every value finite; <c>y</c> of shape <c>[n]</c>, uint8, int32 or int64. The caller owns the result.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The file is missing, truncated or not an .npz; <c>x</c> or <c>y</c> is missing, of an unsupported dtype or shape,
    /// or holds no examples; their lengths differ; <c>y</c> holds floating-point (regression) or bool values; or <c>x</c>
    /// holds NaN or an infinity. The message names the file and the array.
    /// </exception>
    public static InMemoryDataset Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"'{path}' is not a file: expected an .npz with '{InputsName}' (inputs, [n, ...]) and '{LabelsName}' (integer labels, [n])", nameof(path));
        }

        var (x, y) = Read(path);
        if (x.Shape.Count is < 2 or > 4)
        {
            throw new ArgumentException($"{path}: '{InputsName}' has shape [{Shape(x)}]; expected [n, channels, height, width] or [n, height, width] (images) or [n, features]", nameof(path));
        }

        if (y.Shape.Count != 1 || y.Shape[0] != x.Shape[0])
        {
            throw new ArgumentException($"{path}: '{InputsName}' has shape [{Shape(x)}] and '{LabelsName}' [{Shape(y)}]; expected one label per example, [{x.Shape[0]}]", nameof(path));
        }

        if (x.Shape[0] == 0)
        {
            throw new ArgumentException($"{path} holds no examples: '{InputsName}' has shape [{Shape(x)}]", nameof(path));
        }

        if (y.DType is NpyDType.Float32 or NpyDType.Float64)
        {
            // A regression set is one function, not a family of tasks to meta-learn from (the sinusoids are generated per task).
            throw new ArgumentException($"{path}: '{LabelsName}' holds {y.DType} values (regression targets); training on arrays meta-learns classification and needs integer class labels (uint8, int32 or int64)", nameof(path));
        }

        if (y.DType is NpyDType.Bool)
        {
            throw new ArgumentException($"{path}: '{LabelsName}' holds bool values; expected integer class labels (uint8, int32 or int64)", nameof(path));
        }

        var exampleLength = x.Length / x.Shape[0];
        var (bad, value) = FirstNonFinite(x);
        if (bad >= 0)
        {
            throw new ArgumentException($"{path}: '{InputsName}' example {bad / exampleLength} holds {value} at element {bad % exampleLength}; every value must be finite", nameof(path));
        }

        return InMemoryDataset.FromLabeledExamples(x, y);
    }

    private static (NpyArray X, NpyArray Y) Read(string path)
    {
        try
        {
            using var npz = NpzReader.Open(path);
            foreach (var name in new[] { InputsName, LabelsName })
            {
                if (!npz.Contains(name))
                {
                    throw new ArgumentException($"{path} has no array '{name}' (it holds {(npz.Names.Count == 0 ? "nothing" : string.Join(", ", npz.Names))}); "
                        + $"expected '{InputsName}' (inputs, [n, ...]) and '{LabelsName}' (integer labels, [n]), as numpy.savez(path, x=x, y=y) writes them", nameof(path));
                }
            }

            return (npz.Read(InputsName), npz.Read(LabelsName));
        }
        catch (InvalidDataException ex)
        {
            // A truncated download or an unsupported dtype (float16, big-endian, object arrays) surfaces here, naming the array.
            throw new ArgumentException($"{path} is not a readable .npz of supported arrays: {ex.Message}", nameof(path), ex);
        }
    }

    private static (int Index, double Value) FirstNonFinite(NpyArray x)
    {
        switch (x.DType)
        {
            case NpyDType.Float32:
                var floats = x.AsSpan<float>();
                for (var i = 0; i < floats.Length; i++)
                {
                    if (!float.IsFinite(floats[i]))
                    {
                        return (i, floats[i]);
                    }
                }

                return (-1, 0);
            case NpyDType.Float64:
                var doubles = x.AsSpan<double>();
                for (var i = 0; i < doubles.Length; i++)
                {
                    // A finite double beyond float's range would become an infinity in the float32 copy.
                    if (!float.IsFinite((float)doubles[i]))
                    {
                        return (i, doubles[i]);
                    }
                }

                return (-1, 0);
            default:
                return (-1, 0);
        }
    }

    private static string Shape(NpyArray array) => string.Join(", ", array.Shape);
}
