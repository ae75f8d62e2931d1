namespace FewShot.Runtime.Bundles;

/// <summary>
/// Work cut into shares of consecutive examples that run side by side, one thread each (RuntimeOptions.AdaptationShares
/// and PredictionShares); SideBySideRunner runs them.
/// </summary>
internal static class Shares
{
    /// <summary>How many shares <paramref name="count"/> examples make: at most <paramref name="wanted"/>, each of at least <see cref="RuntimeOptions.MinExamplesPerShare"/>.</summary>
    public static int For(int count, int wanted) => Math.Max(1, Math.Min(wanted, count / RuntimeOptions.MinExamplesPerShare));

    /// <summary>The shares' (start, length), as even as the count allows, the longer ones first.</summary>
    public static (int Start, int Length)[] Ranges(int count, int shares)
    {
        var ranges = new (int Start, int Length)[shares];
        for (int h = 0, start = 0; h < shares; h++)
        {
            int length = (count / shares) + (h < count % shares ? 1 : 0);
            ranges[h] = (start, length);
            start += length;
        }

        return ranges;
    }
}
