namespace FewShot.Sdk.Training;

/// <summary>
/// The schedules of the MAML++ recipe (Antoniou et al., 2019, "How to train your MAML"), as pure functions of the
/// iteration, so that a resumed run follows them exactly: multi-step loss weights, derivative-order annealing and cosine
/// annealing of the meta learning rate.
/// </summary>
public static class TrainingSchedules
{
    /// <summary>
    /// The multi-step loss weights at <paramref name="iteration"/> (0-based) for <paramref name="steps"/> inner steps,
    /// annealed over <paramref name="annealIterations"/> as MAML++'s <c>get_per_step_loss_importance_vector</c> does
    /// over epochs: every weight starts at 1/K; each earlier step's weight falls linearly by (1/K)·progress to a floor of
    /// 0.03/K, and the last step's rises by (K − 1)/K·progress to at most 1 − (K − 1)·0.03/K, progress =
    /// iteration / annealIterations. The weights sum to 1 throughout.
    /// </summary>
    /// <returns>K weights; null (the last step's loss alone) from <paramref name="annealIterations"/> on, when it is 0, or when K ≤ 1.</returns>
    public static double[]? MultiStepLossWeights(int steps, int iteration, int annealIterations)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentOutOfRangeException.ThrowIfNegative(annealIterations);
        if (steps <= 1 || iteration >= annealIterations)
        {
            return null;
        }

        var progress = (double)iteration / annealIterations;
        var floor = 0.03 / steps;
        var weights = new double[steps];
        for (var k = 0; k < steps - 1; k++)
        {
            weights[k] = Math.Max((1.0 / steps) - (progress / steps), floor);
        }

        weights[^1] = Math.Min((1.0 / steps) + (progress * (steps - 1) / steps), 1 - ((steps - 1) * floor));
        return weights;
    }

    /// <summary>
    /// Cosine annealing (Loshchilov and Hutter, 2017, as PyTorch's CosineAnnealingLR without restarts) of the meta
    /// learning rate: min + (initial − min)·(1 + cos(π·t/T))/2 for the update of iteration t (0-based), T =
    /// <paramref name="horizon"/>; <paramref name="minimum"/> from T on.
    /// </summary>
    public static double CosineLearningRate(double initial, double minimum, int iteration, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        var t = Math.Min(iteration, horizon);
        return minimum + ((initial - minimum) * (1 + Math.Cos(Math.PI * t / horizon)) / 2);
    }

    /// <summary>The meta-step at <paramref name="iteration"/> (0-based) under <paramref name="options"/>, for a learner of <paramref name="steps"/> inner steps.</summary>
    public static MetaStepSchedule MetaStep(MetaTrainerOptions options, int steps, int iteration)
    {
        ArgumentNullException.ThrowIfNull(options);
        var weights = MultiStepLossWeights(steps, iteration, options.MultiStepLossIterations);
        var firstOrder = iteration < options.FirstOrderIterations;
        return weights is null && !firstOrder ? MetaStepSchedule.Default : new MetaStepSchedule(weights, firstOrder);
    }

    /// <summary>The meta learning rate of the update at <paramref name="iteration"/> (0-based): constant, or cosine-annealed.</summary>
    public static double MetaLearningRate(MetaTrainerOptions options, int iteration)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.CosineIterations is { } horizon
            ? CosineLearningRate(options.MetaLearningRate, options.MinimumMetaLearningRate, iteration, horizon)
            : options.MetaLearningRate;
    }
}
