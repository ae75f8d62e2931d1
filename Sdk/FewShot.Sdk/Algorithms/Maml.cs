using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// MAML (Finn et al., 2017), second order: every parameter adapts by gradient steps on the support set, and the
/// meta-gradient differentiates through those steps exactly.
/// </summary>
public sealed class Maml(IFewShotModel model, TaskKind task, InnerLoopOptions? inner = null) : GradientLearner(model, task, inner)
{
    /// <inheritdoc />
    public override string Name => "maml";
}
