namespace FewShot.Sdk.Training;

/// <summary>A mean with its 95% confidence half-width, 1.96·σ/√n, as few-shot papers report accuracy.</summary>
/// <param name="Mean">The sample mean.</param>
/// <param name="HalfWidth95">1.96 × the sample standard deviation ÷ √n (0 for one sample).</param>
/// <param name="Count">The number of samples.</param>
public readonly record struct ConfidenceInterval(double Mean, double HalfWidth95, int Count)
{
    /// <summary>Summarizes <paramref name="values"/> (one per episode).</summary>
    /// <exception cref="ArgumentException">There are no values, or one is NaN.</exception>
    public static ConfidenceInterval Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("a confidence interval needs at least one value", nameof(values));
        }

        if (values.Any(double.IsNaN))
        {
            throw new ArgumentException("a confidence interval cannot include NaN values", nameof(values));
        }

        var mean = values.Average();
        if (values.Count == 1)
        {
            return new ConfidenceInterval(mean, 0, 1);
        }

        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return new ConfidenceInterval(mean, 1.96 * Math.Sqrt(variance / values.Count), values.Count);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Mean:F4} ± {HalfWidth95:F4} (n = {Count})");
}
