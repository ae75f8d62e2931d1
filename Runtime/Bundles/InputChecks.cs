using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using FewShot.Bundles;

namespace FewShot.Runtime.Bundles;

/// <summary>Checks flat example buffers: a whole number of examples of the bundle's input shape, all finite.</summary>
internal static class InputChecks
{
    /// <summary>The number of examples in <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">The buffer is empty, not a whole number of examples, or holds NaN or infinity.</exception>
    /// <param name="values">The examples, row-major.</param>
    /// <param name="shape">One example's shape.</param>
    /// <param name="exampleSize">Floats per example.</param>
    /// <param name="range">The manifest's declared input range, checked when not null.</param>
    /// <param name="what">"support inputs" or "query inputs", for messages.</param>
    /// <param name="parameter">The caller's parameter name.</param>
    public static int CountExamples(ReadOnlySpan<float> values, IReadOnlyList<long> shape, int exampleSize, ManifestPreprocessing? range, string what, string parameter)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException($"The {what} are empty; at least one example of shape [{Show(shape)}] is needed.", parameter);
        }

        if (values.Length % exampleSize != 0)
        {
            throw new ArgumentException(
                $"The {what} hold {Counted.Of(values.Length, "float", "floats")}, which is not a whole number of examples of shape [{Show(shape)}] ({Counted.Of(exampleSize, "float", "floats")} each).",
                parameter);
        }

        RequireFinite(values, exampleSize, what, parameter);
        if (range is not null)
        {
            RequireInRange(values, exampleSize, range, what, parameter);
        }

        return values.Length / exampleSize;
    }

    /// <summary>
    /// Every value lies in the model's declared input range (the manifest's input.preprocessing), so that finite but
    /// absurd inputs (1e38) are refused before they overflow inside a graph. NaN fails the comparison too.
    /// </summary>
    /// <exception cref="ArgumentException">A value is outside [min, max]; the message names the example, element and range.</exception>
    public static void RequireInRange(ReadOnlySpan<float> values, int rowSize, ManifestPreprocessing range, string what, string parameter)
    {
        // Rounding in a caller's own resize or normalization may stray a hair outside the range; that is not an error.
        float slack = 1e-4f * (range.Max - range.Min);
        float min = range.Min - slack;
        float max = range.Max + slack;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var low = new Vector<float>(min);
            var high = new Vector<float>(max);
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (; i < vectors.Length; i++)
            {
                if (!Vector.GreaterThanOrEqualAll(vectors[i], low) || !Vector.LessThanOrEqualAll(vectors[i], high))
                {
                    break;
                }
            }

            i *= Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            if (!(values[i] >= min && values[i] <= max))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"The {what} hold {values[i]} at example {i / rowSize}, element {i % rowSize}, outside the model's input range [{range.Min}, {range.Max}] (manifest input.preprocessing); FewShotModel.Preprocess turns raw pixels into that range."),
                    parameter);
            }
        }
    }

    /// <summary>Every value is finite.</summary>
    /// <exception cref="ArgumentException">One is NaN or infinite; the message names the example and element.</exception>
    public static void RequireFinite(ReadOnlySpan<float> values, int rowSize, string what, string parameter)
    {
        // x − x is 0 for every finite x and NaN for NaN and ±∞, so one vector compare covers both.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (; i < vectors.Length; i++)
            {
                if (!Vector.EqualsAll(vectors[i] - vectors[i], Vector<float>.Zero))
                {
                    break;
                }
            }

            i *= Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The {what} hold {values[i]} at example {i / rowSize}, element {i % rowSize}; inputs must be finite."),
                    parameter);
            }
        }
    }

    /// <summary>"1, 28, 28".</summary>
    public static string Show(IEnumerable<long> shape) => string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Whether every value is finite (one vectorized pass).</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        // x − x is 0 for every finite x and NaN for NaN and ±∞.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (; i < vectors.Length; i++)
            {
                if (!Vector.EqualsAll(vectors[i] - vectors[i], Vector<float>.Zero))
                {
                    return false;
                }
            }

            i *= Vector<float>.Count;
        }

        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The error for an adapted state that holds NaN or infinity.</summary>
    /// <param name="name">The tensor.</param>
    /// <param name="stage">"adapt step k", "K unrolled steps" or "computing the prototypes".</param>
    public static NonFiniteResultException Diverged(string name, string stage) =>
        new(stage, $"Adaptation diverged: '{name}' holds NaN or infinity after {stage}. Use fewer steps, or check that the support inputs are normalized as the manifest's input.normalization says (values far outside that range overflow).");

    /// <summary>A graph input with a fixed batch dimension gets exactly that many examples (bundle graphs normally leave it symbolic).</summary>
    /// <exception cref="ArgumentException">The count differs from the fixed batch size.</exception>
    public static void RequireBatch(GraphValue input, int count, string entry, string what, string parameter)
    {
        long fixedCount = input.Dimensions.Length > 0 ? input.Dimensions[0] : -1;
        if (fixedCount >= 0 && fixedCount != count)
        {
            throw new ArgumentException($"{entry} takes exactly {fixedCount} {what} ('{input.Name}' is declared {input.Shape}), but {Counted.Of(count, "was", "were")} given.", parameter);
        }
    }
}
