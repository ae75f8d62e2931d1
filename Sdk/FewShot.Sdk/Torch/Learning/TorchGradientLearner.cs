using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using FewShot.Sdk.Training;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>How a gradient-based learner's inner loop and meta-update are set up (what <c>GradientLearner</c>'s subclasses state).</summary>
/// <param name="Adapted">Positions of the model parameters the inner loop adapts.</param>
/// <param name="FirstOrder">Inner gradients are constants (FOMAML, Reptile).</param>
/// <param name="FeaturesOnce">Only the head adapts, on support features computed once (ANIL).</param>
/// <param name="LearnedRates">Step sizes are meta-parameters after the model's, one per model parameter (Meta-SGD).</param>
/// <param name="Reptile">The meta-gradient is θ − θ′ instead of the query loss's gradient.</param>
/// <param name="StepRates">Step sizes are meta-parameters after the model's, a [K] tensor per adapted parameter (MAML++'s LSLR).</param>
internal sealed record InnerLoopShape(int[] Adapted, bool FirstOrder, bool FeaturesOnce, bool LearnedRates, bool Reptile, bool StepRates = false);

/// <summary>
/// The TorchSharp meta-step of the learners that adapt by gradient steps: MAML, FOMAML, Meta-SGD, ANIL, Reptile and
/// the meta-learned autoencoder (see <see cref="TorchLearners.Create"/>); with MAML++'s recipe, per-step learned rates
/// (the algorithm's <see cref="InnerLoopOptions.PerStepLearningRates"/>) and the trainer's <see cref="Schedule"/>.
/// </summary>
public sealed partial class TorchGradientLearner : TorchLearner
{
    private readonly GradientLearner _learner;
    private readonly InnerLoopShape _shape;
    private readonly int _modelParameters;
    private readonly ITorchBatchedModel? _batched;

    // The model when it normalizes by support statistics (MetaBN): the queries take the support's statistics at their parameters.
    private readonly ITorchSupportNormalizedModel? _supportNormalized;
    private readonly ITorchBatchedSupportNormalizedModel? _batchedSupport;

    // Position of a model parameter → its slot among the per-step rate tensors (LSLR), which follow the model's in adapted order.
    private readonly Dictionary<int, int> _rateSlots;

    internal TorchGradientLearner(GradientLearner learner, ITorchModel model, InnerLoopShape shape)
        : base(learner)
    {
        _learner = learner;
        Model = model;
        _shape = shape;
        _modelParameters = learner.Model.Parameters.Count;
        _rateSlots = shape.Adapted.Select((position, slot) => (position, slot)).ToDictionary(p => p.position, p => p.slot);
        _batched = TorchBatchedModels.Lower(learner.Model);
        if (learner.SupportStatistics.Count > 0)
        {
            _supportNormalized = model as ITorchSupportNormalizedModel
                ?? throw new ArgumentException($"{learner.Model.Name} normalizes by support statistics, but its lowering does not compute them", nameof(model));

            // A task-batched lowering without support statistics cannot batch such a learner: it meta-trains task by task.
            _batchedSupport = _batched as ITorchBatchedSupportNormalizedModel;
            _batched = _batchedSupport;
        }
        if (shape.FeaturesOnce && model is not ITorchHeadedModel)
        {
            throw new ArgumentException($"{learner.Name} adapts the head alone, but {learner.Model.Name} has no head", nameof(model));
        }

        if (learner.Inner.PrototypeHead && model is not ITorchHeadedModel)
        {
            throw new ArgumentException($"{learner.Name} starts its head from prototypes, but {learner.Model.Name}'s lowering has no head", nameof(model));
        }
    }

    /// <summary>The model's TorchSharp lowering.</summary>
    public ITorchModel Model { get; }

    /// <summary>
    /// What the next meta-steps do (MAML++'s multi-step loss and derivative-order annealing); the trainer sets it before
    /// each iteration. <see cref="MetaStepSchedule.Default"/>: plain meta-steps. Not thread-safe: one learner per training loop.
    /// </summary>
    /// <exception cref="ArgumentException">Set to weights of another length than the inner steps, or to weights for Reptile.</exception>
    public MetaStepSchedule Schedule
    {
        get => _schedule;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.QueryLossWeights is { } weights && (_shape.Reptile || weights.Count != _learner.Inner.Steps))
            {
                throw new ArgumentException(_shape.Reptile
                    ? $"{_learner.Name}'s meta-update is θ − θ′, not a query loss; the multi-step loss does not apply"
                    : $"{weights.Count} multi-step loss weights for {_learner.Inner.Steps} inner steps", nameof(value));
            }

            _schedule = value;
        }
    }

    private MetaStepSchedule _schedule = MetaStepSchedule.Default;

    /// <summary>True when the meta-gradient differentiates through the inner gradients (what derivative-order annealing switches on).</summary>
    public bool IsSecondOrder => !_shape.FirstOrder;

    /// <summary>True when the meta-gradient is the query loss's gradient (false for Reptile's θ − θ′).</summary>
    public bool MetaGradientIsQueryLoss => !_shape.Reptile;

    private bool FirstOrderNow => _shape.FirstOrder || _schedule.FirstOrder;

    /// <inheritdoc />
    /// <remarks>First or second order, with or without the multi-step loss.</remarks>
    public override int Regime => (FirstOrderNow ? 1 : 0) + (_schedule.QueryLossWeights is null ? 0 : 2);

    /// <summary>(Step, position of a parameter) → its step size in that step.</summary>
    private Func<int, int, torch.Tensor> StepSizes(IReadOnlyList<torch.Tensor> state, torch.Device device)
    {
        if (_shape.LearnedRates)
        {
            return (_, position) => state[_modelParameters + position];
        }

        if (_shape.StepRates)
        {
            var last = _learner.Inner.Steps - 1;
            return (step, position) => state[_modelParameters + _rateSlots[position]][Math.Min(step, last)];
        }

        var scalar = torch.tensor(_learner.Inner.LearningRate, device: device);
        return (_, _) => scalar;
    }
    /// <summary>
    /// Adapts to a support set: <paramref name="state"/> holds the algorithm's state tensors (the model's, then
    /// Meta-SGD's or the per-step rates); returns the model's parameters after <paramref name="steps"/> inner steps
    /// (per-step rates: step k takes the rates of min(k, K − 1)).
    /// </summary>
    /// <param name="state">The state tensors.</param>
    /// <param name="supportX">Support inputs.</param>
    /// <param name="supportY">Support labels or targets.</param>
    /// <param name="steps">Inner steps.</param>
    /// <param name="trajectory">When given, receives the model's parameters after each step.</param>
    /// <param name="statistics">
    /// With support normalization, receives the support statistics that the queries take: at the adapted parameters,
    /// or with <paramref name="trajectory"/> at each step's parameters (the adapted state's are the last entry); required
    /// then, unused otherwise.
    /// </param>
    /// <exception cref="ArgumentNullException">The model normalizes by support statistics, and <paramref name="statistics"/> is null.</exception>
    public torch.Tensor[] Adapt(
        IReadOnlyList<torch.Tensor> state, torch.Tensor supportX, torch.Tensor? supportY, int steps, IList<torch.Tensor[]>? trajectory = null, IList<torch.Tensor[]>? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(supportX);
        var task = _learner.Task;
        var modelState = state.Take(_modelParameters).ToArray();
        var stepSize = StepSizes(state, modelState[0].device);

        if (_shape.FeaturesOnce)
        {
            var headed = (ITorchHeadedModel)Model;
            var features = headed.Features(modelState, supportX);
            return TorchInnerLoop.Unroll(modelState, _shape.Adapted, steps, stepSize, FirstOrderNow, keepGraph: true,
                current => TorchLosses.Loss(task, headed.Head(current, features), supportY, supportX), trajectory);
        }

        // The prototype start is part of step 0's support graph and of the meta-gradient's path (θ → prototypes → head):
        // a first-order step must not free it.
        var prototypeHead = _learner.Inner.PrototypeHead;
        if (prototypeHead)
        {
            var headed = (ITorchHeadedModel)Model;
            var features = _supportNormalized?.FeaturesOnSupport(modelState, supportX) ?? headed.Features(modelState, supportX);
            modelState = TorchPrototypeHead.Start(headed, modelState, features, supportY!, _learner.Model.OutputSize);
        }

        if (_supportNormalized is { } supportNormalized)
        {
            // Step k's support pass normalizes by the support's statistics at θₖ, and the queries at θₖ₊₁ take those at
            // θₖ₊₁: the next step's pass computes them, and one more pass those at θ_K.
            ArgumentNullException.ThrowIfNull(statistics);
            var adapted = TorchInnerLoop.Unroll(modelState, _shape.Adapted, steps, stepSize, FirstOrderNow, keepGraph: prototypeHead,
                current => TorchLosses.Loss(task, supportNormalized.ForwardOnSupport(current, supportX), supportY, supportX), trajectory);
            AddStatistics(statistics, trajectory, adapted, parameters => supportNormalized.SupportStatisticsAt(parameters, supportX));
            return adapted;
        }

        return TorchInnerLoop.Unroll(modelState, _shape.Adapted, steps, stepSize, FirstOrderNow, keepGraph: prototypeHead,
            current => TorchLosses.Loss(task, Model.Forward(current, supportX), supportY, supportX), trajectory);
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        var weights = _schedule.QueryLossWeights;
        var trajectory = weights is null ? null : new List<torch.Tensor[]>();
        var statistics = _supportNormalized is null ? null : new List<torch.Tensor[]>();
        var adapted = Adapt(meta, task.SupportX, task.SupportY, _learner.Inner.Steps, trajectory, statistics);
        if (_shape.Reptile)
        {
            using var noGrad = torch.no_grad();
            var (loss, metric) = QueryLoss(adapted, statistics?[^1], task);
            var moves = new torch.Tensor[meta.Count];
            for (var i = 0; i < meta.Count; i++)
            {
                moves[i] = meta[i].detach() - adapted[i].detach();
            }

            return new TorchTaskStep(loss.item<float>(), metric, moves);
        }

        var (queryLoss, queryMetric) = QueryLoss(adapted, statistics?[^1], task);
        var objective = weights is null ? queryLoss : MultiStepLoss(weights, queryLoss, k => QueryLoss(trajectory![k], statistics?[k], task).Loss);
        var gradients = TorchGradients.Of(objective, meta.ToArray());
        return new TorchTaskStep(queryLoss.item<float>(), queryMetric, gradients.ToArray());
    }

    /// <summary>
    /// Adds the support statistics that the queries take: at each step's parameters when <paramref name="trajectory"/>
    /// holds them (the multi-step loss), else at the adapted ones; the last entry is always the adapted state's.
    /// </summary>
    private static void AddStatistics(
        IList<torch.Tensor[]> statistics, IList<torch.Tensor[]>? trajectory, torch.Tensor[] adapted, Func<torch.Tensor[], torch.Tensor[]> statisticsAt)
    {
        foreach (var parameters in trajectory is { Count: > 0 } ? trajectory : [adapted])
        {
            statistics.Add(statisticsAt(parameters));
        }
    }

    /// <summary>Σₖ wₖ·L_query(θₖ₊₁) over the steps of positive weight; the last step's loss is already computed.</summary>
    /// <param name="weights">One weight per step.</param>
    /// <param name="lastLoss">The query loss after the last step.</param>
    /// <param name="queryLoss">Step k (0-based) → the query loss after it.</param>
    internal static torch.Tensor MultiStepLoss(IReadOnlyList<double> weights, torch.Tensor lastLoss, Func<int, torch.Tensor> queryLoss)
    {
        var total = lastLoss * weights[^1];
        for (var k = 0; k < weights.Count - 1; k++)
        {
            if (weights[k] > 0)
            {
                total = total + (queryLoss(k) * weights[k]);
            }
        }

        return total;
    }

    /// <summary>The query loss and metric at <paramref name="adapted"/>; with support normalization, normalized by <paramref name="statistics"/>.</summary>
    private (torch.Tensor Loss, double Metric) QueryLoss(IReadOnlyList<torch.Tensor> adapted, IReadOnlyList<torch.Tensor>? statistics, TorchTask task)
    {
        var prediction = statistics is null ? Model.Forward(adapted, task.QueryX) : _supportNormalized!.Forward(adapted, statistics, task.QueryX);
        var loss = TorchLosses.Loss(_learner.Task, prediction, task.QueryY, task.QueryX);
        return (loss, TorchLosses.Metric(_learner.Task, prediction, task.QueryY, loss));
    }
}
