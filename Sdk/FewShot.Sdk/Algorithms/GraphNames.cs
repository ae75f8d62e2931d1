using FewShot.Bundles;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Value names of the graphs the algorithms compile. The ones a bundle ships are the bundle format's own
/// (<see cref="BundleNames"/>, Format/README.md), taken from there so they cannot drift; the rest exist only in training.
/// </summary>
public static class GraphNames
{
    /// <summary>Support inputs [n, ...input shape].</summary>
    public const string SupportX = BundleNames.SupportX;

    /// <summary>Support labels [n] int64, or regression targets [n, outputs].</summary>
    public const string SupportY = BundleNames.SupportY;

    /// <summary>Query inputs (meta-training step only).</summary>
    public const string QueryX = "query_x";

    /// <summary>Query labels or targets (meta-training step only).</summary>
    public const string QueryY = "query_y";

    /// <summary>Prediction inputs.</summary>
    public const string X = BundleNames.X;

    /// <summary>Prediction output [n, size].</summary>
    public const string Output = BundleNames.Output;

    /// <summary>Per-example reconstruction error [n] (autoencoder).</summary>
    public const string Score = BundleNames.Score;

    /// <summary>The body's features [n, F] (predict output of head-only learners).</summary>
    public const string Features = BundleNames.Features;

    /// <summary>Support features [n, F] (input of head-only learners' feature adapt graph).</summary>
    public const string SupportFeatures = BundleNames.SupportFeatures;

    /// <summary>Class prototypes [N, D] (prototype algorithms).</summary>
    public const string Prototypes = BundleNames.Prototypes;

    /// <summary>Query loss of a meta-training step (scalar).</summary>
    public const string Loss = "loss";

    /// <summary>Query accuracy (classification) or mean squared error (otherwise) of a meta-training step (scalar).</summary>
    public const string Metric = "metric";

    /// <summary>The adapted value of a parameter.</summary>
    public static string Adapted(string parameter) => BundleNames.Adapted(parameter);

    /// <summary>The meta-gradient of a meta-parameter.</summary>
    public static string Gradient(string parameter) => "grad." + parameter;

    /// <summary>Meta-SGD's learned inner learning rate for a parameter.</summary>
    public static string LearningRate(string parameter) => "lr." + parameter;

    /// <summary>The learned per-step learning rates of a parameter, one per inner step [K] (MAML++'s LSLR).</summary>
    public static string StepLearningRates(string parameter) => "lslr." + parameter;

    /// <summary>The one-step adapt graph's step index (int64 scalar), which the runtime feeds.</summary>
    public const string Step = BundleNames.Step;

    /// <summary>The symbolic batch dimension of support inputs.</summary>
    public const string SupportCount = "n_support";

    /// <summary>The symbolic batch dimension of query and prediction inputs.</summary>
    public const string QueryCount = "n";
}
