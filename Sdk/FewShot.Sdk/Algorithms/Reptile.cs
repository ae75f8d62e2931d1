using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Reptile (Nichol et al., 2018): adapt with plain SGD steps, then move the initialization towards the adapted
/// weights. The meta-"gradient" is θ − θ′, which the meta-optimizer (Adam) applies as the paper suggests.
/// </summary>
public sealed class Reptile(IFewShotModel model, TaskKind task, InnerLoopOptions? inner = null) : GradientLearner(model, task, inner)
{
    /// <inheritdoc />
    public override string Name => "reptile";

    /// <inheritdoc />
    protected override bool FirstOrder => true;

    /// <inheritdoc />
    protected override bool AllowsStepRates => false;

    /// <inheritdoc />
    protected override string StepRatesRefusal => "its meta-update θ − θ′ gives step sizes no gradient";

    /// <inheritdoc />
    protected override string? PrototypeHeadRefusal => "its meta-update θ − θ′ would pull the learned head toward the support's prototypes";

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string> MetaGradients(
        GraphBuilder g, string queryLoss, IReadOnlyDictionary<string, string> metaValues, IReadOnlyDictionary<string, string> adapted) =>
        Model.Parameters.ToDictionary(p => metaValues[p.Name], p => g.Op("Sub", [metaValues[p.Name], adapted[p.Name]]));
}
