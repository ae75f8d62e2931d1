namespace FewShot.Sdk.Data;

/// <summary>
/// One N-way K-shot few-shot task: a labelled support set to adapt on and a labelled query set to evaluate on,
/// drawn from N classes of a dataset. The episode owns its arrays; nothing else refers to them.
/// </summary>
/// <remarks>
/// Examples are grouped by label: support row <c>n · K + k</c> and query row <c>n · Q + q</c> belong to label
/// <c>n</c>. Labels 0..N−1 are assigned to the drawn classes in random order; <see cref="ClassIds"/>[n] is the
/// dataset class that label n stands for.
/// </remarks>
public sealed class Episode
{
    internal Episode(
        int ways, int shots, int queries, IReadOnlyList<int> exampleShape,
        float[] supportX, long[] supportY, float[] queryX, long[] queryY,
        int[] classIds, string[] classNames, int[] supportExampleIndices, int[] queryExampleIndices)
    {
        Ways = ways;
        Shots = shots;
        Queries = queries;
        ExampleShape = exampleShape;
        SupportX = supportX;
        SupportY = supportY;
        QueryX = queryX;
        QueryY = queryY;
        ClassIds = classIds;
        ClassNames = classNames;
        SupportExampleIndices = supportExampleIndices;
        QueryExampleIndices = queryExampleIndices;
    }

    /// <summary>N: the number of classes.</summary>
    public int Ways { get; }

    /// <summary>K: support examples per class.</summary>
    public int Shots { get; }

    /// <summary>Q: query examples per class.</summary>
    public int Queries { get; }

    /// <summary>The shape of one example, e.g. <c>[1, 28, 28]</c>.</summary>
    public IReadOnlyList<int> ExampleShape { get; }

    /// <summary>Support inputs, float32 <c>[N·K, ...ExampleShape]</c>.</summary>
    public float[] SupportX { get; }

    /// <summary>Support labels in 0..N−1, int64 <c>[N·K]</c>.</summary>
    public long[] SupportY { get; }

    /// <summary>Query inputs, float32 <c>[N·Q, ...ExampleShape]</c>.</summary>
    public float[] QueryX { get; }

    /// <summary>Query labels in 0..N−1, int64 <c>[N·Q]</c>.</summary>
    public long[] QueryY { get; }

    /// <summary>For each label n, the index of its class in the sampled dataset.</summary>
    public IReadOnlyList<int> ClassIds { get; }

    /// <summary>For each label n, the name of its class in the sampled dataset.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>For each support row, the example's index within its class.</summary>
    public IReadOnlyList<int> SupportExampleIndices { get; }

    /// <summary>For each query row, the example's index within its class.</summary>
    public IReadOnlyList<int> QueryExampleIndices { get; }

    /// <summary>The shape of <see cref="SupportX"/>: <c>[N·K, ...ExampleShape]</c>.</summary>
    public int[] SupportShape => [Ways * Shots, .. ExampleShape];

    /// <summary>The shape of <see cref="QueryX"/>: <c>[N·Q, ...ExampleShape]</c>.</summary>
    public int[] QueryShape => [Ways * Queries, .. ExampleShape];
}
