using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp pre-training step of the <see cref="FineTune"/> baseline: plain supervised cross-entropy of the
/// all-classes classifier on one labelled batch (the task's query set), as its ONNX meta-step computes it.
/// </summary>
public sealed class TorchFineTune : TorchLearner
{
    private readonly ITorchModel _classifier;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchFineTune(FineTune algorithm)
        : base(algorithm)
    {
        _classifier = TorchModels.Lower(algorithm.PretrainModel);
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        var logits = _classifier.Forward(meta, task.QueryX);
        var loss = TorchLosses.Loss(TaskKind.Classification, logits, task.QueryY, task.QueryX);
        var metric = TorchLosses.Metric(TaskKind.Classification, logits, task.QueryY, loss);
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        return new TorchTaskStep(loss.item<float>(), metric, gradients.ToArray());
    }
}
