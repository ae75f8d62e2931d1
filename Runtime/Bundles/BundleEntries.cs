namespace FewShot.Runtime.Bundles;

/// <summary>
/// The fixed names of the bundle format: zip entries and graph inputs and outputs (Exporters/Bundles/README.md; the
/// writer's copy is FewShot.Exporters.Bundles.BundleNames, which the runtime cannot reference).
/// </summary>
internal static class BundleEntries
{
    public const string Manifest = "manifest.json";
    public const string Predict = "predict.onnx";
    public const string Adapt = "adapt.onnx";
    public const string AdaptK = "adapt_k.onnx";

    public const string X = "x";
    public const string Output = "output";
    public const string Score = "score";
    public const string Features = "features";
    public const string SupportX = "support_x";
    public const string SupportFeatures = "support_features";
    public const string SupportY = "support_y";
    public const string Prototypes = "prototypes";
    public const string AdaptedPrefix = "adapted.";

    /// <summary>Every entry a bundle may hold.</summary>
    public static readonly IReadOnlyList<string> All = [Manifest, Predict, Adapt, AdaptK];

    /// <summary>Graph input and output names that no parameter may take.</summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.Ordinal)
    {
        X, Output, Score, Features, SupportX, SupportFeatures, SupportY, Prototypes,
    };
}
