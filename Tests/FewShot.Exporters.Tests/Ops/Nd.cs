namespace FewShot.Exporters.Tests.Ops;

/// <summary>A dense row-major float array with a shape: the tests' reference computations work on these.</summary>
internal sealed class Nd
{
    public Nd(int[] shape, float[]? data = null)
    {
        Shape = shape;
        Data = data ?? new float[shape.Aggregate(1, (a, b) => a * b)];
        if (Data.Length != shape.Aggregate(1, (a, b) => a * b))
        {
            throw new ArgumentException($"{Data.Length} values do not fill shape [{string.Join(", ", shape)}]");
        }
    }

    public int[] Shape { get; }

    public float[] Data { get; }

    public long[] LongShape => Shape.Select(d => (long)d).ToArray();

    public static Nd Random(Random random, params int[] shape)
    {
        var nd = new Nd(shape);
        for (var i = 0; i < nd.Data.Length; i++)
        {
            nd.Data[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return nd;
    }

    public int Offset(ReadOnlySpan<int> index)
    {
        var offset = 0;
        for (var d = 0; d < Shape.Length; d++)
        {
            offset = (offset * Shape[d]) + index[d];
        }

        return offset;
    }

    public float this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary>Calls <paramref name="visit"/> with every multi-index of <paramref name="shape"/> in row-major order.</summary>
    public static void ForEachIndex(int[] shape, Action<int[]> visit)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        var index = new int[shape.Length];
        for (var n = 0; n < count; n++)
        {
            var rest = n;
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }

            visit(index);
        }
    }
}
