namespace FewShot.Cli.Training;

/// <summary>
/// <c>fewshot train</c>'s MAML++ options resolved (Antoniou et al., 2019): <c>--mamlpp</c> turns on all four pieces with
/// the paper's proportions of the run's <c>--iterations</c> (multi-step loss annealed over the first 10 %, as 15 of its 150
/// epochs; first order for the first third, as 50 of 150; cosine annealing over the whole run); <c>--msl-iterations</c> and
/// <c>--first-order-iterations</c> override theirs (0 turns that piece off).
/// </summary>
/// <param name="PerStepLearningRates">LSLR.</param>
/// <param name="MultiStepLossIterations">MSL annealing length; 0: off.</param>
/// <param name="FirstOrderIterations">DOA's first-order phase; 0: off.</param>
/// <param name="CosineIterations">Cosine annealing horizon; null: constant meta learning rate.</param>
internal sealed record MamlPlusPlusOptions(bool PerStepLearningRates, int MultiStepLossIterations, int FirstOrderIterations, int? CosineIterations)
{
    /// <summary>Resolves the options against the run's stop.</summary>
    /// <exception cref="ArgumentException">A schedule needs an iteration count and the run has none, or a count is negative.</exception>
    public static MamlPlusPlusOptions Resolve(bool all, bool lslr, int? msl, int? firstOrder, bool cosine, TrainingStop stop)
    {
        if (msl is < 0 || firstOrder is < 0)
        {
            throw new ArgumentException($"--msl-iterations and --first-order-iterations must not be negative, got {msl} and {firstOrder}");
        }

        if (stop.Unbounded && (all || cosine))
        {
            throw new ArgumentException("--mamlpp and --cosine-lr schedule over the run's --iterations; give --iterations (with --minutes too, if you like)");
        }

        var iterations = stop.Iterations;
        return new MamlPlusPlusOptions(
            lslr || all,
            msl ?? (all ? Math.Max(1, iterations / 10) : 0),
            firstOrder ?? (all ? iterations / 3 : 0),
            cosine || all ? iterations : null);
    }
}
