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
        var oneHot = OneHot(g, labels, ClassCount(g, labels));
        var counts = g.Op("ReduceSum", [oneHot, g.Int64s(0)], Attr.Int("keepdims", 0));
        return g.Op("Div", [Sums(g, embeddings, oneHot), g.Op("Unsqueeze", [counts, g.Int64s(1)])]);
    }

    /// <summary>
    /// The mean embedding of each of a fixed <paramref name="classes"/> classes [classes, D] (a head's size); a class with
    /// no example gets zeros rather than 0/0. <paramref name="counts"/>: the examples per class [classes], float.
    /// </summary>
    public static string Mean(GraphBuilder g, string embeddings, string labels, int classes, out string counts)
    {
        var oneHot = OneHot(g, labels, g.Scalar(classes, DataType.Int64));
        counts = g.Op("ReduceSum", [oneHot, g.Int64s(0)], Attr.Int("keepdims", 0));
        return g.Op("Div", [Sums(g, embeddings, oneHot), g.Op("Unsqueeze", [g.Op("Max", [counts, g.Scalar(1)]), g.Int64s(1)])]);
    }

    /// <summary>The summed embedding of each class [N, D] (Relation Networks' class representation), N = max label + 1.</summary>
    public static string Sum(GraphBuilder g, string embeddings, string labels) =>
        Sums(g, embeddings, OneHot(g, labels, ClassCount(g, labels)));

    /// <summary>N = max label + 1, an int64 scalar.</summary>
    public static string ClassCount(GraphBuilder g, string labels)
    {
        var floatLabels = g.Op("Cast", [labels], Attr.Int("to", (long)DataType.Float));
        return g.Op("Cast", [g.Op("Add", [g.Op("ReduceMax", [floatLabels], Attr.Int("keepdims", 0)), g.Scalar(1)])], Attr.Int("to", (long)DataType.Int64));
    }

    /// <summary>One-hot rows [n, N] (float) of labels [n] int64, for an int64 scalar class count N.</summary>
    public static string OneHot(GraphBuilder g, string labels, string classCount)
    {
        var classes = g.Op("Range", [g.Scalar(0, DataType.Int64), classCount, g.Scalar(1, DataType.Int64)]);
        return g.Op("Cast", [g.Op("Equal", [g.Op("Unsqueeze", [labels, g.Int64s(1)]), classes])], Attr.Int("to", (long)DataType.Float));
    }

    private static string Sums(GraphBuilder g, string embeddings, string oneHot) =>
        g.Op("MatMul", [g.Op("Transpose", [oneHot], Attr.Ints("perm", 1, 0)), embeddings]);

    /// <summary>Logits [n, N]: the negative squared Euclidean distance from each embedding to each prototype.</summary>
    public static string Logits(GraphBuilder g, string embeddings, string prototypes) =>
        g.Op("Neg", [Losses.SquaredEuclideanDistances(g, embeddings, prototypes)]);
}
