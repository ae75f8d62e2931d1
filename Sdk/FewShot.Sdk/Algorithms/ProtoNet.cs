using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Prototypical Networks (Snell et al., 2017): an encoder embeds the support set once, each class is the mean of its
/// embeddings, and queries are classified by softmax over negative squared distances. Adaptation is the
/// prototypes; no gradient steps. The encoder's output is the embedding (Conv4 with no head).
/// </summary>
public sealed class ProtoNet : ClassEmbeddingLearner
{
    private readonly string _name;

    /// <summary>Creates the algorithm over an encoder.</summary>
    /// <param name="encoder">The embedding network.</param>
    /// <param name="name">The name runs and bundles record: "protonet", or that of a method that trains ProtoNets on its own tasks (CACTUs: "cactus").</param>
    public ProtoNet(IFewShotModel encoder, string name = "protonet")
        : base(encoder, "protonet")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
    }

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    protected override string PoolClasses(GraphBuilder g, string embeddings, string labels) => Prototypes.Mean(g, embeddings, labels);

    /// <inheritdoc />
    protected override string Score(GraphBuilder g, string queries, string classes, IReadOnlyDictionary<string, string> parameters) =>
        Prototypes.Logits(g, queries, classes);

    /// <inheritdoc />
    protected override string Loss(GraphBuilder g, string scores, string queryY, string queryX, string supportY) =>
        TaskLoss.Loss(g, Task, scores, queryY, queryX);
}
