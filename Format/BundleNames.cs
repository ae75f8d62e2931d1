namespace FewShot.Bundles;

/// <summary>
/// The fixed names of the bundle format: zip entries and the graph inputs and outputs that FewShot.Runtime feeds and
/// fetches. README.md beside this project states the whole contract; these constants are its single source in code,
/// for the writer (FewShot.Exporters), the reader (FewShot.Runtime) and the Sdk's graphs alike.
/// </summary>
public static class BundleNames
{
    /// <summary>The format version that FewShot.Exporters writes and FewShot.Runtime reads: 2 (θ₀ stored once).</summary>
    public const int FormatVersion = 2;

    /// <summary>How to turn an older bundle into this format; quoted by the runtime when it refuses one.</summary>
    public const string UpgradeCommand = "fewshot export --upgrade old.fewshot --out new.fewshot";

    /// <summary>Zip entry of the manifest.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>Zip entry of the prediction graph (θ, x → output).</summary>
    public const string PredictEntry = "predict.onnx";

    /// <summary>Zip entry of the one-step adaptation graph (θ, support → θ′), or the prototype graph.</summary>
    public const string AdaptEntry = "adapt.onnx";

    /// <summary>Zip entry of the K-step unrolled adaptation graph; gradient algorithms only.</summary>
    public const string AdaptKEntry = "adapt_k.onnx";

    /// <summary>
    /// Zip entry of the statistics graph (θ′, support → the support's normalization statistics at θ′), run once after
    /// the last step; in bundles whose <see cref="ManifestInnerLoop.Statistics"/> is set.
    /// </summary>
    public const string StatisticsEntry = "statistics.onnx";

    /// <summary>Zip entry of θ₀, every parameter once, in the tensor-set encoding (<see cref="TensorSet"/>); format 2 on.</summary>
    public const string ParametersEntry = "parameters.bin";

    /// <summary>Every entry a bundle may hold, in the order the writer stores them.</summary>
    public static IReadOnlyList<string> Entries { get; } = [ManifestEntry, ParametersEntry, PredictEntry, AdaptEntry, AdaptKEntry, StatisticsEntry];

    /// <summary>The graph entries, in the order the writer stores them.</summary>
    public static IReadOnlyList<string> GraphEntries { get; } = [PredictEntry, AdaptEntry, AdaptKEntry, StatisticsEntry];

    /// <summary>Predict input: the query batch, float [n, …input shape].</summary>
    public const string X = "x";

    /// <summary>Predict output: logits, reconstruction or regression values, float [n, size].</summary>
    public const string Output = "output";

    /// <summary>Predict output of reconstruction bundles: the per-example reconstruction MSE (anomaly score), float [n].</summary>
    public const string Score = "score";

    /// <summary>Predict output of bundles whose one-step adapt graph reads support features: the frozen body's output, float [n, D].</summary>
    public const string Features = "features";

    /// <summary>Adapt input: the support batch, float [n, …input shape].</summary>
    public const string SupportX = "support_x";

    /// <summary>Adapt input instead of <see cref="SupportX"/>: the support batch's features from predict's <see cref="Features"/>.</summary>
    public const string SupportFeatures = "support_features";

    /// <summary>Adapt input: class indices int64 [n] (classification), or targets float [n, size] (regression).</summary>
    public const string SupportY = "support_y";

    /// <summary>
    /// Optional input of the one-step adapt graph: the 0-based index of the step a run takes, int64 scalar. The runtime
    /// feeds it (0 on the first run, S−1 on the last) to a graph that declares it, so that a step may depend on its index
    /// (per-step learned learning rates, MAML++'s LSLR).
    /// </summary>
    public const string Step = "step";

    /// <summary>Adapt output and predict input of prototype bundles: one embedding per class, float [N, D].</summary>
    public const string Prototypes = "prototypes";

    /// <summary>
    /// Adapt output and predict input of embedding bundles whose prototypes are one row per support example (Siamese
    /// networks' nearest example): the class index of each row, float [M] holding whole numbers 0..N−1. Absent when the
    /// prototypes are one row per class.
    /// </summary>
    public const string PrototypeLabels = "prototype_labels";

    /// <summary>Prefix of the adapt graphs' outputs: "adapted.&lt;parameter name&gt;".</summary>
    public const string AdaptedPrefix = "adapted.";

    /// <summary>Every graph input and output name that the format reserves; no parameter may take one.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        X, Output, Score, Features, SupportX, SupportFeatures, SupportY, Step, Prototypes, PrototypeLabels,
    };

    /// <summary>The adapt graphs' output name for <paramref name="parameter"/>: "adapted." + name.</summary>
    public static string Adapted(string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(parameter);
        return AdaptedPrefix + parameter;
    }
}
