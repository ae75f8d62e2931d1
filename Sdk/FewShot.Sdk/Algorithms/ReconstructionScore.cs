using FewShot.Exporters.Graphs;

namespace FewShot.Sdk.Algorithms;

/// <summary>The "score" output of reconstruction predict graphs: each example's mean squared reconstruction error, its anomaly score.</summary>
internal static class ReconstructionScore
{
    /// <summary>Appends the score of <paramref name="reconstruction"/> [n, C·H·W] against the inputs <paramref name="x"/> [n, C, H, W].</summary>
    public static void Output(TaskGraphWriter w, string reconstruction, string x)
    {
        var g = w.Graph;
        var error = g.Op("Sub", [reconstruction, g.Op("Flatten", [x], Attr.Int("axis", 1))]);
        w.Output(g.Op("ReduceMean", [g.Op("Mul", [error, error])], Attr.Ints("axes", 1), Attr.Int("keepdims", 0)), GraphNames.Score, [GraphNames.QueryCount]);
    }
}
