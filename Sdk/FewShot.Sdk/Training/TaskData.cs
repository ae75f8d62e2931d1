namespace FewShot.Sdk.Training;

/// <summary>
/// One task as the graphs take it: support and query inputs (float32, row-major, with their shapes) and their
/// labels (int64 class indices) or targets (float32), or neither for reconstruction. Owns its arrays.
/// </summary>
public sealed class TaskData
{
    /// <summary>Creates a task; exactly one of the label or target arrays of each set may be given, or neither.</summary>
    public TaskData(float[] supportX, long[] supportShape, float[] queryX, long[] queryShape,
        long[]? supportLabels = null, long[]? queryLabels = null, float[]? supportTargets = null, float[]? queryTargets = null)
    {
        SupportX = supportX;
        SupportShape = supportShape;
        QueryX = queryX;
        QueryShape = queryShape;
        SupportLabels = supportLabels;
        QueryLabels = queryLabels;
        SupportTargets = supportTargets;
        QueryTargets = queryTargets;
    }

    /// <summary>Support inputs.</summary>
    public float[] SupportX { get; }

    /// <summary>Shape of <see cref="SupportX"/>, batch first.</summary>
    public long[] SupportShape { get; }

    /// <summary>Query inputs.</summary>
    public float[] QueryX { get; }

    /// <summary>Shape of <see cref="QueryX"/>, batch first.</summary>
    public long[] QueryShape { get; }

    /// <summary>Support class indices 0..N−1 (classification).</summary>
    public long[]? SupportLabels { get; }

    /// <summary>Query class indices (classification).</summary>
    public long[]? QueryLabels { get; }

    /// <summary>Support targets [n, outputs] (regression).</summary>
    public float[]? SupportTargets { get; }

    /// <summary>Query targets [n, outputs] (regression).</summary>
    public float[]? QueryTargets { get; }

    /// <summary>Number of support examples.</summary>
    public long SupportCount => SupportShape[0];

    /// <summary>Number of query examples.</summary>
    public long QueryCount => QueryShape[0];
}
