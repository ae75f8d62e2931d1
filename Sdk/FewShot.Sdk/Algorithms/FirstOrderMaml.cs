using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>First-order MAML: as <see cref="Maml"/>, with the inner gradients treated as constants (no second derivatives).</summary>
public sealed class FirstOrderMaml(IFewShotModel model, TaskKind task, InnerLoopOptions? inner = null) : GradientLearner(model, task, inner)
{
    /// <inheritdoc />
    public override string Name => "fomaml";

    /// <inheritdoc />
    protected override bool FirstOrder => true;
}
