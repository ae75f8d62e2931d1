namespace FewShot.Sdk.Training;

/// <summary>
/// What a gradient learner's meta-step does at one point of training (MAML++, Antoniou et al. 2019): the weights of the
/// query losses after each inner step (multi-step loss) and whether the inner gradients are constants for now
/// (derivative-order annealing). <see cref="Default"/> is plain MAML: the last step's query loss, the learner's own order.
/// </summary>
/// <param name="QueryLossWeights">One weight per inner step for the query loss after that step; null: the last step's loss alone.</param>
/// <param name="FirstOrder">Treat the inner gradients as constants at this point of training, whatever the learner's own order.</param>
public sealed record MetaStepSchedule(IReadOnlyList<double>? QueryLossWeights = null, bool FirstOrder = false)
{
    /// <summary>The last step's query loss, at the learner's own derivative order.</summary>
    public static MetaStepSchedule Default { get; } = new();
}
