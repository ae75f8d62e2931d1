using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Relation Networks (Sung et al., 2018): the embedding module maps the support set once, each class is the sum of its
/// examples' feature maps, and the learned relation module scores every (query, class) pair in (0, 1); training
/// regresses the scores onto the one-hot labels (mean squared error, as the paper). Adaptation is the class
/// embeddings, with no gradient steps; prediction runs the relation module, so a query's scores depend only on it and
/// the support set.
/// </summary>
public sealed class RelationNet : ClassEmbeddingLearner
{
    /// <summary>Creates the algorithm over a relation network.</summary>
    public RelationNet(RelationNetwork network)
        : base(network, "relationnet")
    {
        Network = network;
    }

    /// <inheritdoc />
    public override string Name => "relationnet";

    /// <summary>The embedding and relation modules.</summary>
    public RelationNetwork Network { get; }

    /// <inheritdoc />
    protected override string PoolClasses(GraphBuilder g, string embeddings, string labels) => Prototypes.Sum(g, embeddings, labels);

    /// <inheritdoc />
    protected override string Score(GraphBuilder g, string queries, string classes, IReadOnlyDictionary<string, string> parameters) =>
        Network.Relations(g, queries, classes, parameters);

    /// <inheritdoc />
    protected override string Loss(GraphBuilder g, string scores, string queryY, string queryX, string supportY) =>
        Losses.MeanSquaredError(g, scores, Prototypes.OneHot(g, queryY, Prototypes.ClassCount(g, supportY)));
}
