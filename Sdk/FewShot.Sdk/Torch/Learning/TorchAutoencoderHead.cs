using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch.Models;
using FewShot.Sdk.Unsupervised;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp meta-step of <see cref="AutoencoderHead"/>. While pretraining: the reconstruction loss
/// (<see cref="AutoencoderPretraining.Loss"/>) of every image of the task (support and query, labels unused), whose
/// gradient reaches the autoencoder only; the metric is 0 then.
/// Afterwards: MAML on the head over the frozen encoder's codes (detached; the code layer not detached when tuned),
/// the query cross-entropy's gradient reaching the head's initialization (and the code layer).
/// </summary>
public sealed class TorchAutoencoderHead : TorchLearner
{
    private readonly AutoencoderHead _algorithm;
    private readonly TorchConvAutoencoder _autoencoder;
    private readonly int _head;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchAutoencoderHead(AutoencoderHead algorithm)
        : base(algorithm)
    {
        _algorithm = algorithm;
        _autoencoder = new TorchConvAutoencoder(algorithm.Autoencoder);
        _head = algorithm.Model.Parameters.Count - 2;
    }

    /// <summary>The meta-learning step (as after pretraining).</summary>
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task) => MetaStep(meta, task, _algorithm.PretrainIterations);

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task, int iteration)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        return iteration < _algorithm.PretrainIterations ? Pretrain(meta, task) : MetaLearn(meta, task);
    }

    private TorchTaskStep Pretrain(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        // The autoencoder's tensors in its own order: the encoder (shared with the classifier), then the decoder after the head.
        var indices = Enumerable.Range(0, meta.Count).Where(i => i < LatentClassifier.EncoderParameterCount || i >= _head + 2).ToArray();
        var images = torch.cat([task.SupportX, task.QueryX]);
        var loss = AutoencoderPretraining.Loss(_autoencoder.Reconstruct(indices.Select(i => meta[i]).ToArray(), images), images);
        return new TorchTaskStep(loss.item<float>(), 0, Gradients(meta, loss, indices));
    }

    private TorchTaskStep MetaLearn(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        if (task.SupportY is null || task.QueryY is null)
        {
            throw new ArgumentException($"{_algorithm.Name} meta-learns its head on labelled support and query sets", nameof(task));
        }

        torch.Tensor Codes(torch.Tensor x)
        {
            var convolutions = _autoencoder.Convolutions(meta, x).detach();
            var codes = TorchLatentClassifier.Scale(_autoencoder.Code(meta, convolutions));
            return _algorithm.TuneCodeLayer ? codes : codes.detach();
        }

        var supportCodes = Codes(task.SupportX);
        var queryCodes = Codes(task.QueryX);
        torch.Tensor Head(IReadOnlyList<torch.Tensor> head, torch.Tensor codes) => TorchLayers.Linear(codes, head[0], head[1]);
        var rate = torch.tensor(_algorithm.Inner.LearningRate, device: meta[0].device);
        var adapted = TorchInnerLoop.Unroll([meta[_head], meta[_head + 1]], [0, 1], _algorithm.Inner.Steps, (_, _) => rate, firstOrder: false, keepGraph: true,
            head => TorchLosses.Loss(TaskKind.Classification, Head(head, supportCodes), task.SupportY, task.SupportX));
        var logits = Head(adapted, queryCodes);
        var loss = TorchLosses.Loss(TaskKind.Classification, logits, task.QueryY, task.QueryX);
        var metric = TorchLosses.Metric(TaskKind.Classification, logits, task.QueryY, loss);
        int[] trained = _algorithm.TuneCodeLayer
            ? [LatentClassifier.EncoderParameterCount - 2, LatentClassifier.EncoderParameterCount - 1, _head, _head + 1]
            : [_head, _head + 1];
        return new TorchTaskStep(loss.item<float>(), metric, Gradients(meta, loss, trained));
    }

    /// <summary>d loss / d meta-parameter for the <paramref name="trained"/> positions, zeros for the others.</summary>
    private static torch.Tensor[] Gradients(IReadOnlyList<torch.Tensor> meta, torch.Tensor loss, int[] trained)
    {
        var gradients = TorchGradients.Of(loss, trained.Select(i => meta[i]).ToArray());
        var result = new torch.Tensor[meta.Count];
        for (var i = 0; i < meta.Count; i++)
        {
            var at = Array.IndexOf(trained, i);
            result[i] = at >= 0 ? gradients[at] : torch.zeros_like(meta[i]);
        }

        return result;
    }
}
