using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>Class prototypes and the nearest-prototype classifier of Prototypical Networks, as graph fragments.</summary>
internal static class Prototypes
{
    /// <summary>
    /// The mean embedding of each class: [N, D] from support embeddings [n, D] and labels [n] in 0..N−1, where
    /// N = max label + 1. Written as onehotᵀ·embeddings / counts so that it is differentiable in the embeddings.
    /// </summary>
    public static string Mean(GraphBuilder g, string embeddings, string labels)
    {
        var floatLabels = g.Op("Cast", [labels], Attr.Int("to", (long)DataType.Float));
        var classCount = g.Op("Cast", [g.Op("Add", [g.Op("ReduceMax", [floatLabels], Attr.Int("keepdims", 0)), g.Scalar(1)])], Attr.Int("to", (long)DataType.Int64));
        var classes = g.Op("Range", [g.Scalar(0, DataType.Int64), classCount, g.Scalar(1, DataType.Int64)]);
        var oneHot = g.Op("Cast", [g.Op("Equal", [g.Op("Unsqueeze", [labels, g.Int64s(1)]), classes])], Attr.Int("to", (long)DataType.Float));
        var sums = g.Op("MatMul", [g.Op("Transpose", [oneHot], Attr.Ints("perm", 1, 0)), embeddings]);
        var counts = g.Op("ReduceSum", [oneHot, g.Int64s(0)], Attr.Int("keepdims", 0));
        return g.Op("Div", [sums, g.Op("Unsqueeze", [counts, g.Int64s(1)])]);
    }

    /// <summary>Logits [n, N]: the negative squared Euclidean distance from each embedding to each prototype.</summary>
    public static string Logits(GraphBuilder g, string embeddings, string prototypes) =>
        g.Op("Neg", [Losses.SquaredEuclideanDistances(g, embeddings, prototypes)]);
}
