using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>The meta-batch as one pass: every task's inner loop at once on task-stacked parameters (<see cref="ITorchBatchedModel"/>).</summary>
public sealed partial class TorchGradientLearner
{
    /// <inheritdoc />
    public override bool CanBatch => _batched is not null && !_learner.Inner.PrototypeHead;

    /// <inheritdoc />
    public override bool PrefersBatch => CanBatch && (_batched!.PaysOnOneThread || torch.get_num_threads() > 1);

    /// <inheritdoc />
    public override bool SplitsAcrossThreads => _batched is { PaysOnOneThread: false };

    /// <summary>
    /// Adapts T tasks at once: the state tensors are shared; returns the model's parameters after
    /// <paramref name="steps"/> steps, each with a leading task dimension [T, …].
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no batched lowering (<see cref="CanBatch"/> is false).</exception>
    /// <param name="state">The state tensors.</param>
    /// <param name="batch">The tasks.</param>
    /// <param name="steps">Inner steps.</param>
    /// <param name="trajectory">When given, receives the task-stacked parameters after each step.</param>
    /// <param name="statistics">With support normalization, receives the tasks' support statistics ([T, C] each) as <see cref="Adapt"/> does; required then.</param>
    public torch.Tensor[] AdaptBatch(
        IReadOnlyList<torch.Tensor> state, TorchTaskBatch batch, int steps, IList<torch.Tensor[]>? trajectory = null, IList<torch.Tensor[]>? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(batch);
        var model = CanBatch ? _batched! : throw new InvalidOperationException($"{_learner.Model.Name} has no task-batched lowering{(_learner.Inner.PrototypeHead ? " with a prototype head" : "")}");
        var task = _learner.Task;
        var tasks = batch.Count;

        // Views, not copies: the gradient through expand sums each task's contribution back onto the shared θ.
        var stacked = state.Take(_modelParameters).Select(p => p.unsqueeze(0).expand([tasks, .. p.shape])).ToArray();
        var stepSize = StepSizes(state, stacked[0].device);

        // The sum over tasks of each task's mean loss, so that each task's slice of the gradient is its own loss's gradient.
        torch.Tensor SupportLoss(torch.Tensor prediction) => TorchLosses.Loss(task, Flat(prediction), FlatOrNull(batch.SupportY), Flat(batch.SupportX)) * tasks;

        if (_shape.FeaturesOnce)
        {
            var features = model.Features(stacked, batch.SupportX);
            return TorchInnerLoop.Unroll(stacked, _shape.Adapted, steps, stepSize, FirstOrderNow, keepGraph: true, current => SupportLoss(model.Head(current, features)), trajectory);
        }

        if (_batchedSupport is { } supportNormalized)
        {
            ArgumentNullException.ThrowIfNull(statistics);
            var adapted = TorchInnerLoop.Unroll(stacked, _shape.Adapted, steps, stepSize, FirstOrderNow, keepGraph: false,
                current => SupportLoss(supportNormalized.ForwardOnSupport(current, batch.SupportX)), trajectory);
            AddStatistics(statistics, trajectory, adapted, parameters => supportNormalized.SupportStatisticsAt(parameters, batch.SupportX));
            return adapted;
        }

        return TorchInnerLoop.Unroll(stacked, _shape.Adapted, steps, stepSize, FirstOrderNow, keepGraph: false, current => SupportLoss(model.Forward(current, batch.SupportX)), trajectory);
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(batch);
        var weights = _schedule.QueryLossWeights;
        var trajectory = weights is null ? null : new List<torch.Tensor[]>();
        var statistics = _batchedSupport is null ? null : new List<torch.Tensor[]>();
        var adapted = AdaptBatch(meta, batch, _learner.Inner.Steps, trajectory, statistics);
        if (_shape.Reptile)
        {
            using var noGrad = torch.no_grad();
            var (loss, metric) = BatchQueryLoss(adapted, statistics?[^1], batch);
            var moves = meta.Select((m, i) => m.detach() - adapted[i].detach().mean([0L])).ToArray();
            return new TorchTaskStep(loss.item<float>(), metric, moves);
        }

        var (queryLoss, queryMetric) = BatchQueryLoss(adapted, statistics?[^1], batch);
        var objective = weights is null ? queryLoss : MultiStepLoss(weights, queryLoss, k => BatchQueryLoss(trajectory![k], statistics?[k], batch).Loss);
        return new TorchTaskStep(queryLoss.item<float>(), queryMetric, TorchGradients.Of(objective, meta.ToArray()).ToArray());
    }

    /// <summary>The mean over tasks of each task's query loss (equal query counts), and the mean metric; with support normalization, normalized by <paramref name="statistics"/>.</summary>
    private (torch.Tensor Loss, double Metric) BatchQueryLoss(IReadOnlyList<torch.Tensor> adapted, IReadOnlyList<torch.Tensor>? statistics, TorchTaskBatch batch)
    {
        var prediction = Flat(statistics is null ? _batched!.Forward(adapted, batch.QueryX) : _batchedSupport!.Forward(adapted, statistics, batch.QueryX));
        var targets = FlatOrNull(batch.QueryY);
        var loss = TorchLosses.Loss(_learner.Task, prediction, targets, Flat(batch.QueryX));
        return (loss, TorchLosses.Metric(_learner.Task, prediction, targets, loss));
    }

    /// <summary>[T, N, …] → [T·N, …].</summary>
    private static torch.Tensor Flat(torch.Tensor x) => x.flatten(0, 1);

    private static torch.Tensor? FlatOrNull(torch.Tensor? x) => x?.flatten(0, 1);
}
