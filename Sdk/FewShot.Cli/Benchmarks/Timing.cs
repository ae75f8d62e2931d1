using System.Diagnostics;

namespace FewShot.Cli.Benchmarks;

/// <summary>Median and 95th percentile of repeated runs after warm-up, in milliseconds.</summary>
internal sealed record Timing(string Name, double MedianMs, double P95Ms, int Runs)
{
    public static Timing Measure(string name, int warmup, int runs, Action action)
    {
        for (var i = 0; i < warmup; i++)
        {
            action();
        }

        var samples = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return new Timing(name, samples[runs / 2], samples[Math.Min(runs - 1, (int)Math.Ceiling(0.95 * runs) - 1)], runs);
    }
}
