namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Comparisons of float32 results with references.</summary>
internal static class Tolerance
{
    /// <summary>
    /// Float32 graphs against a double-precision reference on these tiny models: rounding leaves ~1e-6; 1e-4 still
    /// catches any wrong step (a step moves values by ~1e-2).
    /// </summary>
    public const double Reference = 1e-4;

    public static void Close(IReadOnlyList<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Count == actual.Length, $"{what}: {actual.Length} values, expected {expected.Count}");
        for (int i = 0; i < actual.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
            {
                Assert.Fail($"{what}[{i}] = {actual[i]}, expected {expected[i]} (tolerance {tolerance})");
            }
        }
    }
}
