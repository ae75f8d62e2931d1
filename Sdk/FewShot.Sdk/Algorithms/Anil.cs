using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// ANIL (Raghu et al., 2020): MAML with only the head adapting; the body's support features are computed once per
/// task, and the meta-gradient still reaches the body through them.
/// </summary>
public sealed class Anil(IHeadedModel model, TaskKind task, InnerLoopOptions? inner = null) : GradientLearner(model, task, inner)
{
    /// <inheritdoc />
    public override string Name => "anil";

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => ((IHeadedModel)Model).HeadParameterNames;

    /// <inheritdoc />
    protected override bool FeaturesOnce => true;
}
