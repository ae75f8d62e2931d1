using System.Globalization;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>Turns the JSON examples (one array each) into the runtime's flat row-major batch, checking every row's length.</summary>
public static class ExampleBatch
{
    /// <summary>Concatenates <paramref name="examples"/>, each of which must hold <paramref name="exampleSize"/> floats.</summary>
    /// <returns>A fresh array of examples.Length × exampleSize floats.</returns>
    /// <exception cref="ArgumentException">There are no examples, or one is null or of the wrong length (the message names which).</exception>
    public static float[] Flatten(float[][]? examples, int exampleSize, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        string expected = string.Create(CultureInfo.InvariantCulture, $"{Counted.Of(exampleSize, "float", "floats")} (shape [{string.Join(", ", shape)}], row-major)");
        if (examples is null || examples.Length == 0)
        {
            throw new ArgumentException($"'examples' is empty; at least one example of {expected} is needed.", nameof(examples));
        }

        var batch = new float[examples.Length * exampleSize];
        for (int i = 0; i < examples.Length; i++)
        {
            if (examples[i] is not { } row || row.Length != exampleSize)
            {
                throw new ArgumentException($"Example {i} has {Counted.Of(examples[i]?.Length ?? 0, "float", "floats")}; every example must have {expected}.", nameof(examples));
            }

            row.CopyTo(batch, i * exampleSize);
        }

        return batch;
    }
}
