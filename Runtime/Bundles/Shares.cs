using System.Runtime.ExceptionServices;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Work cut into shares of consecutive examples that run side by side, one thread each (RuntimeOptions.AdaptationShares
/// and PredictionShares).
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

    /// <summary>Runs body(0 … count − 1) side by side, the last on the calling thread; the first failure is rethrown as itself.</summary>
    public static void SideBySide(int count, Action<int> body)
    {
        var others = new Task[count - 1];
        for (int i = 0; i < others.Length; i++)
        {
            int share = i;
            others[i] = Task.Factory.StartNew(() => body(share), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        }

        Exception? own = null;
        try
        {
            body(count - 1);
        }
        catch (Exception e)
        {
            own = e;
        }

        try
        {
            Task.WaitAll(others);
        }
        catch (AggregateException e) when (own is null)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        catch (AggregateException)
        {
            // The calling thread's own failure is reported below.
        }

        if (own is not null)
        {
            ExceptionDispatchInfo.Capture(own).Throw();
        }
    }
}
