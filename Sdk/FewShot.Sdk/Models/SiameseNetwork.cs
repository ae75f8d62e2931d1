using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Models;

/// <summary>How a Siamese network compares two embeddings, and the loss it trains with.</summary>
public enum SiameseLoss
{
    /// <summary>
    /// Koch et al.'s verification: p = σ(Σⱼ αⱼ·|aⱼ − bⱼ| + β), the probability that both show the same class, trained with
    /// binary cross-entropy. The similarity is the logit Σⱼ αⱼ·|aⱼ − bⱼ| + β.
    /// </summary>
    Verification,

    /// <summary>
    /// The contrastive loss (Hadsell et al., 2006): L = (1 − y)·d² + y·max(0, m − d)² with d the Euclidean distance, y = 1
    /// for a different pair, m the margin. The similarity is −d.
    /// </summary>
    Contrastive,
}

/// <summary>
/// The twin network of Siamese networks: one conv4 encoder (no head) applied to both sides of a pair, and the
/// comparison of <see cref="SiameseLoss"/>; with the verification loss its weights α [D] and bias β [1] are the last
/// parameters. <see cref="Forward"/> is the encoder.
/// </summary>
public sealed class SiameseNetwork : IFewShotModel
{
    /// <summary>The margin m of the contrastive loss.</summary>
    public const float Margin = 1f;

    /// <summary>Added to d² inside the square root, so that the distance of identical embeddings has a finite gradient.</summary>
    internal const float DistanceEpsilon = 1e-12f;

    /// <summary>Creates the twin network.</summary>
    /// <param name="encoder">The shared encoder: a conv4 with no head.</param>
    /// <param name="loss">How pairs are compared and trained.</param>
    public SiameseNetwork(Conv4 encoder, SiameseLoss loss)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (encoder.HasHead)
        {
            throw new ArgumentException("a Siamese network's encoder is a conv4 without a head (outputs: 0)", nameof(encoder));
        }

        Encoder = encoder;
        Loss = loss;
        var size = encoder.OutputSize;
        Parameters = loss == SiameseLoss.Verification
            ? [.. encoder.Parameters, new ParameterSpec("distance.weight", [size], ParameterInit.UniformFanIn, size), new ParameterSpec("distance.bias", [1], ParameterInit.UniformFanIn, size)]
            : encoder.Parameters;
    }

    /// <summary>The shared encoder.</summary>
    public Conv4 Encoder { get; }

    /// <summary>The comparison and loss.</summary>
    public SiameseLoss Loss { get; }

    /// <inheritdoc />
    public string Name => "siamese-conv4";

    /// <inheritdoc />
    public IReadOnlyList<long> InputShape => Encoder.InputShape;

    /// <summary>The embedding width D.</summary>
    public int OutputSize => Encoder.OutputSize;

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>The encoder: [n, …input] → [n, D].</summary>
    public string Forward(GraphBuilder graph, string input, IReadOnlyDictionary<string, string> parameters) =>
        Encoder.Forward(graph, input, parameters);

    /// <summary>
    /// The similarity of embedding pairs from their difference a − b [..., D] (any leading shape): the verification
    /// logit, or −d for the contrastive loss; [...], the last axis reduced. Larger means more alike.
    /// </summary>
    public string Similarity(GraphBuilder graph, string difference, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(parameters);
        var lastAxis = graph.Int64s(-1);
        if (Loss == SiameseLoss.Verification)
        {
            var weighted = graph.Op("Mul", [graph.Op("Abs", [difference]), parameters["distance.weight"]]);
            return graph.Op("Add", [graph.Op("ReduceSum", [weighted, lastAxis], Attr.Int("keepdims", 0)), parameters["distance.bias"]]);
        }

        var squared = graph.Op("ReduceSum", [graph.Op("Mul", [difference, difference]), lastAxis], Attr.Int("keepdims", 0));
        return graph.Op("Neg", [graph.Op("Sqrt", [graph.Op("Add", [squared, graph.Scalar(DistanceEpsilon)])])]);
    }
}
