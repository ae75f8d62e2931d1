namespace FewShot.Cli.Training;

/// <summary>
/// When <c>fewshot train</c> stops: after <see cref="Iterations"/> meta-iterations or after <see cref="TimeBudget"/>,
/// whichever comes first.
/// </summary>
/// <param name="Iterations">The iteration count to reach; <see cref="int.MaxValue"/> when only a time budget bounds the run.</param>
/// <param name="TimeBudget">The wall-clock budget of this call, or null for none.</param>
internal sealed record TrainingStop(int Iterations, TimeSpan? TimeBudget)
{
    /// <summary>The iteration count when neither --iterations nor --minutes is given.</summary>
    public const int DefaultIterations = 1000;

    /// <summary>True when no iteration count bounds the run (only --minutes was given).</summary>
    public bool Unbounded => Iterations == int.MaxValue;

    /// <summary>
    /// Resolves the two options: neither gives <see cref="DefaultIterations"/>; --minutes alone trains for that long
    /// with no iteration limit (a default count would otherwise end a long budget early); both stop at whichever
    /// comes first.
    /// </summary>
    /// <exception cref="ArgumentException">A value is zero, negative or not finite.</exception>
    public static TrainingStop Resolve(int? iterations, double? minutes)
    {
        if (iterations is <= 0)
        {
            throw new ArgumentException($"--iterations must be positive, got {iterations}");
        }

        if (minutes is { } m && (!double.IsFinite(m) || m <= 0 || m > TimeSpan.MaxValue.TotalMinutes))
        {
            throw new ArgumentException($"--minutes must be a positive number of minutes, got {m}");
        }

        var budget = minutes is { } value ? TimeSpan.FromMinutes(value) : (TimeSpan?)null;
        return new TrainingStop(iterations ?? (budget is null ? DefaultIterations : int.MaxValue), budget);
    }
}
