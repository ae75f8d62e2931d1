namespace FewShot.Sdk.Training;

/// <summary>Meta-training settings. Defaults are sized for a small CPU; validation happens where they are consumed.</summary>
public sealed class MetaTrainerOptions
{
    /// <summary>Meta-iterations to reach (a resumed run continues up to this count); <see cref="int.MaxValue"/> with a <see cref="TimeBudget"/> trains until the budget runs out.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Wall-clock budget for this call; training checkpoints and stops when it runs out. Null: no budget.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Tasks per meta-iteration; their meta-gradients are averaged.</summary>
    public int MetaBatch { get; init; } = 4;

    /// <summary>Adam's step size for the meta-update.</summary>
    public double MetaLearningRate { get; init; } = 1e-3;

    /// <summary>The one seed every random choice of the run flows from.</summary>
    public int Seed { get; init; }

    /// <summary>Write a checkpoint every this many iterations (and always at the end).</summary>
    public int CheckpointEvery { get; init; } = 100;

    /// <summary>Validate every this many iterations; 0 disables validation.</summary>
    public int ValidateEvery { get; init; }

    /// <summary>Episodes per validation.</summary>
    public int ValidationEpisodes { get; init; } = 100;

    /// <summary>Inner steps used when validating.</summary>
    public int ValidationSteps { get; init; } = 1;

    /// <summary>
    /// MAML++'s multi-step loss (torch engine, gradient learners): the meta-loss sums the query loss after every inner
    /// step, with weights annealed toward the last step over this many iterations, then the last step's alone
    /// (<see cref="TrainingSchedules.MultiStepLossWeights"/>). 0 (default): off.
    /// </summary>
    public int MultiStepLossIterations { get; init; }

    /// <summary>
    /// MAML++'s derivative-order annealing (torch engine, second-order learners): first-order meta-gradients for this
    /// many iterations, second order after. 0 (default): off.
    /// </summary>
    public int FirstOrderIterations { get; init; }

    /// <summary>
    /// Cosine annealing of the meta learning rate (torch engine) from <see cref="MetaLearningRate"/> to
    /// <see cref="MinimumMetaLearningRate"/> over this many iterations (<see cref="TrainingSchedules.CosineLearningRate"/>).
    /// Null (default): a constant rate.
    /// </summary>
    public int? CosineIterations { get; init; }

    /// <summary>Where cosine annealing ends (MAML++: 1e-5).</summary>
    public double MinimumMetaLearningRate { get; init; } = 1e-5;

    /// <summary>ONNX Runtime session settings for validation, which adapts and predicts through the exported graphs.</summary>
    public GraphSessionOptions Session { get; init; } = new() { IntraOpThreads = Environment.ProcessorCount };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Iterations, nameof(Iterations));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MetaBatch, nameof(MetaBatch));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MetaLearningRate, nameof(MetaLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CheckpointEvery, nameof(CheckpointEvery));
        ArgumentOutOfRangeException.ThrowIfNegative(ValidateEvery, nameof(ValidateEvery));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ValidationEpisodes, nameof(ValidationEpisodes));
        ArgumentOutOfRangeException.ThrowIfNegative(ValidationSteps, nameof(ValidationSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(MultiStepLossIterations, nameof(MultiStepLossIterations));
        ArgumentOutOfRangeException.ThrowIfNegative(FirstOrderIterations, nameof(FirstOrderIterations));
        if (CosineIterations is { } horizon)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon, nameof(CosineIterations));
        }

        if (!(MinimumMetaLearningRate >= 0 && MinimumMetaLearningRate <= MetaLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumMetaLearningRate), MinimumMetaLearningRate, $"the minimum meta learning rate must lie in [0, {MetaLearningRate}] (the meta learning rate)");
        }
    }
}
