using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp meta-step of <see cref="ProtoNet"/>: embed support and query (separately, so batch norm sees the
/// same batches as the ONNX graphs), class means as prototypes, cross-entropy over negative squared distances.
/// </summary>
public sealed class TorchProtoNet : TorchLearner
{
    private readonly ITorchModel _encoder;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchProtoNet(ProtoNet algorithm)
        : base(algorithm)
    {
        _encoder = TorchModels.Lower(algorithm.Model);
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        if (task.SupportY is null || task.QueryY is null)
        {
            throw new ArgumentException("ProtoNets needs labelled support and query sets", nameof(task));
        }

        var (loss, metric) = TorchPrototypes.QueryLoss(_encoder.Forward(meta, task.SupportX), task.SupportY, task.Classes, _encoder.Forward(meta, task.QueryX), task.QueryY, task.QueryX);
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        return new TorchTaskStep(loss.item<float>(), metric, gradients.ToArray());
    }
}
