namespace FewShot.Sdk.Algorithms;

/// <summary>Settings of a gradient-based inner loop. Defaults are the MAML paper's Omniglot settings.</summary>
public sealed class InnerLoopOptions
{
    /// <summary>Gradient steps on the support set during meta-training (MAML: 1 for Omniglot 5-way).</summary>
    public int Steps { get; init; } = 1;

    /// <summary>Inner step size α (MAML: 0.4 on Omniglot; 0.01 on sinusoids). Meta-SGD's initial per-element rate.</summary>
    public float LearningRate { get; init; } = 0.4f;

    /// <summary>
    /// MAML++'s LSLR (Antoniou et al., 2019): every adapted parameter tensor gets its own step size for each of the
    /// <see cref="Steps"/> inner steps, meta-learned with the initialization (starting at <see cref="LearningRate"/>).
    /// Adaptation beyond <see cref="Steps"/> repeats the last step's rates. Off by default.
    /// </summary>
    public bool PerStepLearningRates { get; init; }

    /// <summary>
    /// Proto-MAML's head (Triantafillou et al., 2020): before the first inner step, the linear head starts from the
    /// support's class prototypes c (mean features): weight + 2c, bias − ‖c‖², so that the unadapted head already
    /// scores like a Prototypical Network, and the inner steps fine-tune from there. The meta-learned head is the
    /// offset (zeros at the start). For classifiers with a linear head whose learner adapts the whole network. Off by default.
    /// </summary>
    public bool PrototypeHead { get; init; }

    /// <summary>Checks the values, naming the offending one.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Steps, nameof(Steps));
        if (PerStepLearningRates && Steps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "per-step learning rates need at least one inner step");
        }

        if (!(LearningRate > 0) || float.IsInfinity(LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the inner learning rate must be a positive finite number");
        }
    }
}
