using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// The TorchSharp meta-step of <see cref="RelationNet"/>: embed support and query, sum each class's support
/// embeddings, score every (query, class) pair with the relation module, mean squared error to the one-hot labels.
/// </summary>
public sealed class TorchRelationNet : TorchLearner
{
    private readonly TorchRelationNetwork _network;

    /// <summary>Lowers <paramref name="algorithm"/>.</summary>
    public TorchRelationNet(RelationNet algorithm)
        : base(algorithm)
    {
        _network = new TorchRelationNetwork(algorithm.Network);
    }

    /// <inheritdoc />
    public override TorchTaskStep MetaStep(IReadOnlyList<torch.Tensor> meta, TorchTask task)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(task);
        if (task.SupportY is null || task.QueryY is null)
        {
            throw new ArgumentException("Relation Networks need labelled support and query sets", nameof(task));
        }

        var classes = TorchPrototypes.Sum(_network.Forward(meta, task.SupportX), task.SupportY, task.Classes);
        var scores = _network.Relations(meta, _network.Forward(meta, task.QueryX), classes);
        var oneHot = torch.nn.functional.one_hot(task.QueryY, task.Classes).to_type(scores.dtype);
        var loss = torch.nn.functional.mse_loss(scores, oneHot);
        var metric = TorchLosses.Metric(TaskKind.Classification, scores, task.QueryY, loss);
        var gradients = TorchGradients.Of(loss, meta.ToArray());
        return new TorchTaskStep(loss.item<float>(), metric, gradients.ToArray());
    }
}
