using System.Globalization;
using FewShot.Sdk.Training;

namespace FewShot.Cli.Training;

/// <summary>
/// What the progress display shows after an iteration: the fraction done, iterations per second and time left,
/// computed from the reported elapsed time (never from a clock of its own, so it is testable).
/// </summary>
/// <param name="stop">When the run stops.</param>
/// <param name="metricName">What the trainer's metric is: "accuracy" for classification, "mse" otherwise.</param>
internal sealed class TrainingStatus(TrainingStop stop, string metricName)
{
    private int? _firstIteration;

    /// <summary>The last progress reported.</summary>
    public TrainingProgress? Last { get; private set; }

    /// <summary>The share of the run done, 0 to 1: of the iterations, of the time budget, or the larger when both bound it.</summary>
    public double Fraction { get; private set; }

    /// <summary>Meta-iterations per second in this call (resumed iterations excluded).</summary>
    public double IterationsPerSecond { get; private set; }

    /// <summary>The estimated time until the run stops, or null before the rate is known.</summary>
    public TimeSpan? TimeLeft { get; private set; }

    /// <summary>Takes in one report.</summary>
    public void Update(TrainingProgress progress)
    {
        // The first report of a call follows its first iteration; counting from the iteration before it includes that one.
        _firstIteration ??= progress.Iteration - 1;
        Last = progress;
        var seconds = progress.Elapsed.TotalSeconds;
        var done = progress.Iteration - _firstIteration.Value;
        IterationsPerSecond = seconds > 0 ? done / seconds : 0;
        var byIterations = stop.Unbounded ? 0 : Math.Clamp((double)progress.Iteration / stop.Iterations, 0, 1);
        var byTime = stop.TimeBudget is { } budget ? Math.Clamp(progress.Elapsed / budget, 0, 1) : 0;
        Fraction = Math.Max(byIterations, byTime);

        TimeSpan? left = null;
        if (!stop.Unbounded && IterationsPerSecond > 0)
        {
            left = TimeSpan.FromSeconds(Math.Max(0, stop.Iterations - progress.Iteration) / IterationsPerSecond);
        }

        if (stop.TimeBudget is { } limit)
        {
            var remaining = limit - progress.Elapsed < TimeSpan.Zero ? TimeSpan.Zero : limit - progress.Elapsed;
            left = left is { } l && l < remaining ? l : remaining;
        }

        TimeLeft = left;
    }

    /// <summary>The iteration counter: "120/1000", or "120" when only time bounds the run.</summary>
    public string Counter => Last is null ? "0" : stop.Unbounded ? $"{Last.Iteration}" : $"{Last.Iteration}/{stop.Iterations}";

    /// <summary>Loss, metric, rate and time left, invariant culture: "loss 0.5123  accuracy 0.8125  12.3 it/s  left 00:01:05".</summary>
    public string Figures => Last is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $"loss {Last.Loss:F4}  {metricName} {Last.Metric:F4}  {IterationsPerSecond:F1} it/s  left {(TimeLeft is { } t ? Format(t) : "--:--:--")}");

    /// <summary>One plain line for logs: percent, counter and figures.</summary>
    public string Line => string.Create(CultureInfo.InvariantCulture, $"{Fraction * 100,3:F0}%  {Counter}  {Figures}");

    private static string Format(TimeSpan span) =>
        span.TotalHours >= 100 ? ">99h" : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours:D2}:{span.Minutes:D2}:{span.Seconds:D2}");
}
