using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp meta-step of <see cref="LearnedOptimizer"/>: the body embeds support and query once; T steps of the
/// learned optimizer move the head on the support loss (its gradient and loss constants, as in both papers); the query loss
/// after them differentiates into θ₀ (body and head) and the optimizer's weights φ.
/// </summary>
public sealed class TorchLearnedOptimizer : TorchLearner
{
    private readonly LearnedOptimizer _algorithm;
    private readonly ITorchHeadedModel _model;
    private readonly TorchLstmOptimizer _optimizer;
    private readonly int _modelParameters;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchLearnedOptimizer(LearnedOptimizer algorithm)
        : base(algorithm)
    {
        _algorithm = algorithm;
        _model = TorchModels.Lower(algorithm.Model) as ITorchHeadedModel
            ?? throw new ArgumentException($"{algorithm.Name} adapts a head, but {algorithm.Model.Name} has none", nameof(algorithm));
        _optimizer = new TorchLstmOptimizer(algorithm.Optimizer);
        _modelParameters = algorithm.Model.Parameters.Count;
    }

    /// <summary>
    /// Adapts the head to support features: the model's parameters with the head after <paramref name="steps"/> learned steps.
    /// </summary>
    /// <param name="meta">The meta-parameters (model, then φ).</param>
    /// <param name="features">The body's support features [n, F].</param>
    /// <param name="labels">Support labels [n].</param>
    /// <param name="steps">T.</param>
    public torch.Tensor[] Adapt(IReadOnlyList<torch.Tensor> meta, torch.Tensor features, torch.Tensor labels, int steps)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(features);
        var current = meta.Take(_modelParameters).ToArray();
        var phi = meta.Skip(_modelParameters).ToArray();
        var head = _model.HeadIndices;
        var state = _optimizer.InitialState(_algorithm.Coordinates, features.device);
        for (var step = 0; step < steps; step++)
        {
            var loss = TorchLosses.Loss(TaskKind.Classification, _model.Head(current, features), labels, features);
            var gradients = TorchGradients.Of(loss, head.Select(i => current[i]).ToArray(), retainGraph: true);
            var theta = torch.cat(head.Select(i => current[i].reshape(-1, 1)).ToArray(), 0);
            var flat = torch.cat(gradients.Select(g => g.detach().reshape(-1, 1)).ToArray(), 0);
            (theta, state) = _optimizer.Step(theta, flat, loss.detach(), state, phi);
            long offset = 0;
            foreach (var i in head)
            {
                var count = current[i].numel();
                current[i] = theta.narrow(0, offset, count).reshape(current[i].shape);
                offset += count;
            }
        }

        return current;
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        var model = meta.Take(_modelParameters).ToArray();
        var adapted = Adapt(meta, _model.Features(model, task.SupportX), task.SupportY!, _algorithm.Inner.Steps);
        var logits = _model.Forward(adapted, task.QueryX);
        var loss = TorchLosses.Loss(TaskKind.Classification, logits, task.QueryY, task.QueryX);
        var metric = TorchLosses.Metric(TaskKind.Classification, logits, task.QueryY, loss);
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        return new TorchTaskStep(loss.item<float>(), metric, gradients.ToArray());
    }
}
