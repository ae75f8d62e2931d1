using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Autodiff.Rules;

/// <summary>Backward rules of gathers and scatters: each gather's adjoint is a scatter-add and each scatter's is a gather.</summary>
internal static class IndexingRules
{
    public static void Register(GradientRegistry r)
    {
        r.Register("GatherElements", (c, n, dy) =>
            [c.Op("ScatterElements", [c.Zeros(n.Input[0]), n.Input[1], dy], Axis(n), Attr.String("reduction", "add")), null]);

        r.Register("ScatterElements", (c, n, dy) =>
        {
            var (indices, updates) = (n.Input[1], n.Input[2]);
            var data = Reduction(c, n) == "add" ? dy : c.Op("ScatterElements", [dy, indices, c.Zeros(updates)], Axis(n));
            return [data, null, c.Op("GatherElements", [dy, indices], Axis(n))];
        });

        r.Register("GatherND", (c, n, dy) => n.Int("batch_dims", 0) != 0
            ? throw c.Unsupported("batch_dims other than 0")
            : [c.Op("ScatterND", [c.Zeros(n.Input[0]), n.Input[1], dy], Attr.String("reduction", "add")), null]);

        r.Register("ScatterND", (c, n, dy) =>
        {
            var (indices, updates) = (n.Input[1], n.Input[2]);
            var data = Reduction(c, n) == "add" ? dy : c.Op("ScatterND", [dy, indices, c.Zeros(updates)]);
            return [data, null, c.Op("GatherND", [dy, indices])];
        });

        // Scatter-add along the first axis; other axes are moved to the front and back around it.
        r.Register("Gather", (c, n, dy) =>
        {
            var (x, rank) = (n.Input[0], c.Rank(n.Input[0]));
            var (axis, q) = ((int)ShapeFunctions.Normalize(n.Int("axis", 0), rank), c.Rank(n.Input[1]));
            var index = c.Op("Unsqueeze", [NonNegative(c, n.Input[1], x, axis), c.Int64s(-1)]);
            if (axis == 0)
            {
                return [c.Op("ScatterND", [c.Zeros(x), index, dy], Attr.String("reduction", "add")), null];
            }

            long[] front = [axis, .. Range(0, axis), .. Range(axis + 1, rank - axis - 1)];
            long[] dyFront = [.. Range(axis, q), .. Range(0, axis), .. Range(axis + q, rank - axis - 1)];
            var zeros = c.Op("Transpose", [c.Zeros(x)], Attr.Ints("perm", front));
            var scattered = c.Op("ScatterND", [zeros, index, c.Op("Transpose", [dy], Attr.Ints("perm", dyFront))], Attr.String("reduction", "add"));
            return [c.Op("Transpose", [scattered], Attr.Ints("perm", Enumerable.Range(0, rank).Select(i => (long)Array.IndexOf(front, i)).ToArray())), null];
        });
    }

    private static AttributeProto Axis(NodeProto n) => Attr.Int("axis", n.Int("axis", 0));

    private static string Reduction(GradientContext c, NodeProto n) => n.String("reduction", "none") switch
    {
        "none" or "add" => n.String("reduction", "none"),
        var other => throw c.Unsupported($"reduction={other}"),
    };

    private static long[] Range(int start, int count) => Enumerable.Range(start, count).Select(i => (long)i).ToArray();

    /// <summary>Gather's indices as int64 counted from the front (ScatterND wants both), skipped when they are known non-negative.</summary>
    private static string NonNegative(GradientContext c, string indices, string x, int axis)
    {
        var wide = c.Graph.ElementTypeOf(indices) == DataType.Int64 ? indices : c.Op("Cast", [indices], Attr.Int("to", (long)DataType.Int64));
        if (c.ConstantInts(indices) is { } known && known.All(i => i >= 0))
        {
            return wide;
        }

        var size = c.Op("Gather", [c.ShapeOf(x), c.Constant(TensorData.Scalar("", DataType.Int64, axis))]);
        var zero = c.Constant(TensorData.Scalar("", DataType.Int64, 0));
        return c.Op("Where", [c.Op("Less", [wide, zero]), c.Op("Add", [wide, size]), wide]);
    }
}
