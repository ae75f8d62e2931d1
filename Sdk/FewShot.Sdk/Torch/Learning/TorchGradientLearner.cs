using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>How a gradient-based learner's inner loop and meta-update are set up (what <c>GradientLearner</c>'s subclasses state).</summary>
/// <param name="Adapted">Positions of the model parameters the inner loop adapts.</param>
/// <param name="FirstOrder">Inner gradients are constants (FOMAML, Reptile).</param>
/// <param name="FeaturesOnce">Only the head adapts, on support features computed once (ANIL).</param>
/// <param name="LearnedRates">Step sizes are meta-parameters after the model's (Meta-SGD).</param>
/// <param name="Reptile">The meta-gradient is θ − θ′ instead of the query loss's gradient.</param>
internal sealed record InnerLoopShape(int[] Adapted, bool FirstOrder, bool FeaturesOnce, bool LearnedRates, bool Reptile);

/// <summary>
/// The TorchSharp meta-step of the learners that adapt by gradient steps: MAML, FOMAML, Meta-SGD, ANIL, Reptile and
/// the meta-learned autoencoder (see <see cref="TorchLearners.Create"/>).
/// </summary>
public sealed partial class TorchGradientLearner : TorchLearner
{
    private readonly GradientLearner _learner;
    private readonly InnerLoopShape _shape;
    private readonly int _modelParameters;
    private readonly ITorchBatchedModel? _batched;

    internal TorchGradientLearner(GradientLearner learner, ITorchModel model, InnerLoopShape shape)
        : base(learner)
    {
        _learner = learner;
        Model = model;
        _shape = shape;
        _modelParameters = learner.Model.Parameters.Count;
        _batched = TorchBatchedModels.Lower(learner.Model);
        if (shape.FeaturesOnce && model is not ITorchHeadedModel)
        {
            throw new ArgumentException($"{learner.Name} adapts the head alone, but {learner.Model.Name} has no head", nameof(model));
        }
    }

    /// <summary>The model's TorchSharp lowering.</summary>
    public ITorchModel Model { get; }

    /// <summary>
    /// Adapts to a support set: <paramref name="state"/> holds the algorithm's state tensors (the model's, then
    /// Meta-SGD's rates); returns the model's parameters after <paramref name="steps"/> inner steps.
    /// </summary>
    public torch.Tensor[] Adapt(IReadOnlyList<torch.Tensor> state, torch.Tensor supportX, torch.Tensor? supportY, int steps)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(supportX);
        var task = _learner.Task;
        var modelState = state.Take(_modelParameters).ToArray();
        var scalar = _shape.LearnedRates ? null : torch.tensor(_learner.Inner.LearningRate, device: modelState[0].device);
        torch.Tensor StepSize(int index) => scalar ?? state[_modelParameters + index];

        if (_shape.FeaturesOnce)
        {
            var headed = (ITorchHeadedModel)Model;
            var features = headed.Features(modelState, supportX);
            return TorchInnerLoop.Unroll(modelState, _shape.Adapted, steps, StepSize, _shape.FirstOrder, keepGraph: true,
                current => TorchLosses.Loss(task, headed.Head(current, features), supportY, supportX));
        }

        return TorchInnerLoop.Unroll(modelState, _shape.Adapted, steps, StepSize, _shape.FirstOrder, keepGraph: false,
            current => TorchLosses.Loss(task, Model.Forward(current, supportX), supportY, supportX));
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        var adapted = Adapt(meta, task.SupportX, task.SupportY, _learner.Inner.Steps);
        if (_shape.Reptile)
        {
            using var noGrad = torch.no_grad();
            var (loss, metric) = QueryLoss(adapted, task);
            var moves = new torch.Tensor[meta.Count];
            for (var i = 0; i < meta.Count; i++)
            {
                moves[i] = meta[i].detach() - adapted[i].detach();
            }

            return new TorchTaskStep(loss.item<float>(), metric, moves);
        }

        var (queryLoss, queryMetric) = QueryLoss(adapted, task);
        var gradients = torch.autograd.grad([queryLoss], meta.ToArray());
        return new TorchTaskStep(queryLoss.item<float>(), queryMetric, gradients.ToArray());
    }

    private (torch.Tensor Loss, double Metric) QueryLoss(IReadOnlyList<torch.Tensor> adapted, TorchTask task)
    {
        var prediction = Model.Forward(adapted, task.QueryX);
        var loss = TorchLosses.Loss(_learner.Task, prediction, task.QueryY, task.QueryX);
        return (loss, TorchLosses.Metric(_learner.Task, prediction, task.QueryY, loss));
    }
}
