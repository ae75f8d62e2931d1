using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Meta-SGD (Li et al., 2017): MAML whose inner step size is a learned tensor per parameter (same shape), meta-learned
/// with the initialization; the inner update is θ − α ⊙ ∇L.
/// </summary>
public sealed class MetaSgd(IFewShotModel model, TaskKind task, InnerLoopOptions? inner = null) : GradientLearner(model, task, inner)
{
    /// <inheritdoc />
    public override string Name => "metasgd";

    /// <inheritdoc />
    public override IReadOnlyList<ParameterSpec> MetaParameters =>
    [
        .. ModelParameters,
        .. Model.Parameters.Select(p => new ParameterSpec(GraphNames.LearningRate(p.Name), p.Shape, ParameterInit.Constant, Value: Inner.LearningRate)),
    ];

    /// <inheritdoc />
    protected override bool AllowsStepRates => false;

    /// <inheritdoc />
    protected override string StepRatesRefusal => "it already learns a step size per parameter element";

    /// <inheritdoc />
    protected override string StepSize(GraphBuilder g, IReadOnlyDictionary<string, string> metaValues, string parameter, string? stepIndex) =>
        metaValues[GraphNames.LearningRate(parameter)];
}
