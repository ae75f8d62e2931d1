using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch.Models;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp meta-step of <see cref="Siamese"/> on a task of pairs (left: support, right: query, "same" where the
/// labels match): encode both sides, compare, and the verification or contrastive loss averaged over the pairs.
/// </summary>
public sealed class TorchSiamese : TorchLearner
{
    private readonly Siamese _siamese;
    private readonly TorchConv4 _encoder;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchSiamese(Siamese algorithm)
        : base(algorithm)
    {
        _siamese = algorithm;
        _encoder = new TorchConv4(algorithm.Network.Encoder);
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        if (task.SupportY is null || task.QueryY is null || task.SupportX.shape[0] != task.QueryX.shape[0])
        {
            throw new ArgumentException("Siamese networks train on tasks of pairs: as many labelled left (support) as right (query) examples", nameof(task));
        }

        var difference = _encoder.Forward(meta, task.SupportX) - _encoder.Forward(meta, task.QueryX);
        var same = task.SupportY.eq(task.QueryY).to_type(difference.dtype);
        torch.Tensor similarity, perPair;
        if (_siamese.Network.Loss == SiameseLoss.Verification)
        {
            var count = _siamese.Network.Encoder.Parameters.Count;
            similarity = difference.abs().mul(meta[count]).sum(dim: 1).add(meta[count + 1]);
            perPair = softplus(similarity) - same * similarity;
        }
        else
        {
            var distance = difference.mul(difference).sum(dim: 1).add(SiameseNetwork.DistanceEpsilon).sqrt();
            similarity = distance.neg();
            var shortfall = relu(SiameseNetwork.Margin - distance);
            perPair = (same * distance * distance) + ((1 - same) * shortfall * shortfall);
        }

        var loss = perPair.mean();
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        double metric;
        using (torch.no_grad())
        {
            metric = similarity.gt(_siamese.Threshold).to_type(same.dtype).eq(same).to_type(same.dtype).mean().item<float>();
        }

        return new TorchTaskStep(loss.item<float>(), metric, gradients.ToArray());
    }
}
