using FewShot.Sdk.Algorithms;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>Class prototypes and the nearest-prototype logits of Prototypical Networks, as <c>Prototypes</c> writes them into ONNX graphs.</summary>
internal static class TorchPrototypes
{
    /// <summary>Mean embedding per class [N, D], N = max label + 1: onehotᵀ·embeddings / counts.</summary>
    /// <param name="embeddings">[n, D].</param>
    /// <param name="labels">[n] int64 in 0..N−1.</param>
    /// <param name="classes">N, known from the task (saves reading the labels back from libtorch).</param>
    public static torch.Tensor Mean(torch.Tensor embeddings, torch.Tensor labels, long classes)
    {
        var oneHot = torch.nn.functional.one_hot(labels, classes).to_type(embeddings.dtype);
        return oneHot.t().matmul(embeddings).div(oneHot.sum(dim: 0).unsqueeze(1));
    }

    /// <summary>
    /// Mean embedding of each of a fixed N classes [N, D] (a head's size), as <c>Prototypes.Mean</c>'s fixed-class form:
    /// a class with no example gets zeros; <paramref name="counts"/> receives the examples per class [N].
    /// </summary>
    public static torch.Tensor Mean(torch.Tensor embeddings, torch.Tensor labels, long classes, out torch.Tensor counts)
    {
        var oneHot = torch.nn.functional.one_hot(labels, classes).to_type(embeddings.dtype);
        counts = oneHot.sum(dim: 0);
        return oneHot.t().matmul(embeddings).div(counts.clamp_min(1).unsqueeze(1));
    }

    /// <summary>Summed embedding per class [N, D] (Relation Networks): onehotᵀ·embeddings.</summary>
    public static torch.Tensor Sum(torch.Tensor embeddings, torch.Tensor labels, long classes) =>
        torch.nn.functional.one_hot(labels, classes).to_type(embeddings.dtype).t().matmul(embeddings);

    /// <summary>
    /// Prototypical Networks' query loss and accuracy: prototypes from the support embeddings, cross-entropy of the
    /// queries' nearest-prototype logits.
    /// </summary>
    public static (torch.Tensor Loss, double Metric) QueryLoss(torch.Tensor support, torch.Tensor supportY, long classes, torch.Tensor queries, torch.Tensor queryY, torch.Tensor queryX)
    {
        var logits = Logits(queries, Mean(support, supportY, classes));
        var loss = TorchLosses.Loss(TaskKind.Classification, logits, queryY, queryX);
        return (loss, TorchLosses.Metric(TaskKind.Classification, logits, queryY, loss));
    }

    /// <summary>Logits [n, N]: the negative squared Euclidean distance of each embedding to each prototype.</summary>
    public static torch.Tensor Logits(torch.Tensor embeddings, torch.Tensor prototypes)
    {
        var difference = embeddings.unsqueeze(1) - prototypes.unsqueeze(0);
        return difference.mul(difference).sum(dim: 2).neg();
    }
}
