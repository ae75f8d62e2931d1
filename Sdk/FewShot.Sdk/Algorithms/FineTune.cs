using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// The baseline users ask about: pre-train an ordinary classifier on all training classes (no episodes), then for a
/// new task keep its body and fit a fresh, zero-initialized head on the support features by gradient steps.
/// Meta-training batches are plain labelled batches (<see cref="Training.ClassBatchTaskSource"/>) fed as the query set.
/// </summary>
public sealed class FineTune : GradientLearner
{
    private readonly IHeadedModel _pretrainModel;

    /// <summary>Creates the baseline.</summary>
    /// <param name="pretrainModel">The classifier pre-trained on all training classes (its head spans them).</param>
    /// <param name="taskModel">The same body with a head of the test tasks' number of ways.</param>
    /// <param name="inner">The head-fitting steps and step size used at test time.</param>
    public FineTune(IHeadedModel pretrainModel, IHeadedModel taskModel, InnerLoopOptions? inner = null)
        : base(taskModel, TaskKind.Classification, inner)
    {
        ArgumentNullException.ThrowIfNull(pretrainModel);
        var body = BodyNames(taskModel);
        if (!body.SequenceEqual(BodyNames(pretrainModel)))
        {
            throw new ArgumentException("the pre-training and task models must share their body parameters", nameof(pretrainModel));
        }

        _pretrainModel = pretrainModel;
    }

    /// <inheritdoc />
    public override string Name => "finetune";

    /// <summary>The classifier pre-trained on all training classes, whose parameters are the meta-parameters.</summary>
    public IHeadedModel PretrainModel => _pretrainModel;

    /// <summary>The pre-training classifier's parameters.</summary>
    public override IReadOnlyList<ParameterSpec> MetaParameters => _pretrainModel.Parameters;

    /// <summary>The task model's parameters: the pre-trained body and a head of the task's ways.</summary>
    public override IReadOnlyList<ParameterSpec> StateParameters => Model.Parameters;

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => ((IHeadedModel)Model).HeadParameterNames;

    /// <inheritdoc />
    protected override bool FeaturesOnce => true;

    /// <inheritdoc />
    protected override bool AllowsStepRates => false;

    /// <inheritdoc />
    protected override string StepRatesRefusal => "it fits a new head with plain SGD after pre-training; nothing meta-learns its step sizes";

    /// <summary>The pre-trained body and a zero head of the task's number of ways.</summary>
    public override (IReadOnlyList<ParameterSpec> Specs, float[][] Values) DeploymentState(float[][] metaParameters)
    {
        var pretrained = _pretrainModel.Parameters.Select((p, i) => (p.Name, Values: metaParameters[i])).ToDictionary(p => p.Name, p => p.Values);
        var head = ((IHeadedModel)Model).HeadParameterNames;
        var values = Model.Parameters.Select(p => head.Contains(p.Name) ? new float[p.ElementCount] : pretrained[p.Name]).ToArray();
        return (StateParameters, values);
    }

    /// <summary>Supervised pre-training on one labelled batch (query_x, query_y): cross-entropy and its gradients.</summary>
    public override TaskGraph BuildMetaStep()
    {
        var w = new TaskGraphWriter("finetune_pretrain_step", _pretrainModel, TaskKind.Classification);
        var g = w.Graph;
        var parameters = w.Parameters(_pretrainModel.Parameters);
        var x = w.Examples(GraphNames.QueryX, GraphNames.QueryCount);
        var y = w.Targets(GraphNames.QueryY, GraphNames.QueryCount)!;
        var logits = _pretrainModel.Forward(g, x, parameters);
        var loss = TaskLoss.Loss(g, TaskKind.Classification, logits, y, x);
        var gradients = Gradients.Append(g, loss, _pretrainModel.Parameters.Select(p => parameters[p.Name]).ToArray());
        w.Output(loss, GraphNames.Loss, []);
        w.Output(TaskLoss.Metric(g, TaskKind.Classification, logits, y, loss), GraphNames.Metric, []);
        foreach (var parameter in _pretrainModel.Parameters)
        {
            w.Output(gradients[parameters[parameter.Name]], GraphNames.Gradient(parameter.Name), parameter.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.MetaStep);
    }

    private static string[] BodyNames(IHeadedModel model) =>
        model.Parameters.Select(p => p.Name).Except(model.HeadParameterNames).ToArray();
}
