namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Value names shared by the graphs the algorithms compile and the bundle contract that FewShot.Runtime reads
/// (Exporters/Bundles/README.md): keep them in step with it.
/// </summary>
public static class GraphNames
{
    /// <summary>Support inputs [n, ...input shape].</summary>
    public const string SupportX = "support_x";

    /// <summary>Support labels [n] int64, or regression targets [n, outputs].</summary>
    public const string SupportY = "support_y";

    /// <summary>Query inputs (meta-training step only).</summary>
    public const string QueryX = "query_x";

    /// <summary>Query labels or targets (meta-training step only).</summary>
    public const string QueryY = "query_y";

    /// <summary>Prediction inputs.</summary>
    public const string X = "x";

    /// <summary>Prediction output [n, size].</summary>
    public const string Output = "output";

    /// <summary>Per-example reconstruction error [n] (autoencoder).</summary>
    public const string Score = "score";

    /// <summary>Class prototypes [N, D] (prototype algorithms).</summary>
    public const string Prototypes = "prototypes";

    /// <summary>Query loss of a meta-training step (scalar).</summary>
    public const string Loss = "loss";

    /// <summary>Query accuracy (classification) or mean squared error (otherwise) of a meta-training step (scalar).</summary>
    public const string Metric = "metric";

    /// <summary>The adapted value of a parameter.</summary>
    public static string Adapted(string parameter) => "adapted." + parameter;

    /// <summary>The meta-gradient of a meta-parameter.</summary>
    public static string Gradient(string parameter) => "grad." + parameter;

    /// <summary>Meta-SGD's learned inner learning rate for a parameter.</summary>
    public static string LearningRate(string parameter) => "lr." + parameter;

    /// <summary>The symbolic batch dimension of support inputs.</summary>
    public const string SupportCount = "n_support";

    /// <summary>The symbolic batch dimension of query and prediction inputs.</summary>
    public const string QueryCount = "n";
}
