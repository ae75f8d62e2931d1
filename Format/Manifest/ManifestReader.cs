using System.Text.Json;

namespace FewShot.Bundles;

/// <summary>
/// manifest.json's parsed document turned into a <see cref="ModelManifest"/>, field by field, as strictly as the
/// source-generated contract that writes it: unknown or repeated fields, nulls where the record has no null, missing
/// required fields, numbers out of their type's range or not whole where an integer is due, and enum spellings other
/// than the written ones are all refused, each with its field's path.
/// </summary>
/// <remarks>
/// Why not the source-generated deserializer: its metadata is generic over every value-typed property, instantiations
/// that neither ReadyToRun nor tiered compilation precompile, so the first manifest a process read took 72–88 ms of
/// JIT and type loading (ReadyToRun probe, 2026-12-05) against about 10 ms for a walk of the parsed document: a tenth of
/// `fewshot adapt`'s whole start. The writer keeps the generated serializer; <c>ManifestJsonTests</c> reads back what it
/// writes with every optional field set, so a field added to the records and not here fails them.
/// </remarks>
internal static class ManifestReader
{
    /// <exception cref="BundleFormatException">The document breaks the schema; the message names the field.</exception>
    public static ModelManifest Read(JsonElement root) => JsonFields.Read(root, string.Empty, Manifest);

    private static ModelManifest Manifest(JsonFields m) => new()
    {
        FormatVersion = m.Int("formatVersion"),
        Algorithm = m.String("algorithm"),
        Model = m.String("model"),
        Input = m.Object("input", Input),
        Output = m.Object("output", Output),
        Classes = m.OptionalObject("classes", Classes),
        InnerLoop = m.OptionalObject("innerLoop", InnerLoop),
        Parameters = m.Objects("parameters", Parameter),
        BatchNorm = m.OptionalString("batchNorm"),
        FeatureNormalization = m.OptionalString("featureNormalization"),
        Files = m.StringMap("files"),
        Provenance = m.Object("provenance", Provenance),
        CreatedBy = m.String("createdBy"),
    };

    private static ManifestInput Input(JsonFields f) => new()
    {
        Shape = f.Longs("shape"),
        Dtype = f.String("dtype"),
        Normalization = f.Object("normalization", Normalization),
        Preprocessing = f.PresentObjectOrNull("preprocessing", Preprocessing),
    };

    private static ManifestNormalization Normalization(JsonFields f) => new()
    {
        Text = f.String("text"),
        Mean = f.OptionalFloats("mean"),
        Std = f.OptionalFloats("std"),
    };

    private static ManifestPreprocessing Preprocessing(JsonFields f) => new()
    {
        Channels = f.Enum("channels", ("gray", ChannelOrder.Gray), ("rgb", ChannelOrder.Rgb)),
        Resize = f.Enum("resize", ("area", ResizeMethod.Area)),
        Min = f.Float("min"),
        Max = f.Float("max"),
        Bright = f.Enum("bright", ("strokes", BrightPart.Strokes), ("background", BrightPart.Background)),
    };

    private static ManifestOutput Output(JsonFields f) => new()
    {
        Kind = f.Enum("kind", ("logits", OutputKind.Logits), ("embedding", OutputKind.Embedding),
            ("reconstruction", OutputKind.Reconstruction), ("regression", OutputKind.Regression)),
        Size = f.Int("size"),
    };

    private static ManifestClasses Classes(JsonFields f) => new() { Min = f.Int("min"), Max = f.OptionalInt("max") };

    private static ManifestInnerLoop InnerLoop(JsonFields f) => new()
    {
        Steps = f.Int("steps"),
        LearningRate = f.Double("learningRate"),
        FirstOrder = f.Bool("firstOrder"),
        AdaptedParameters = f.Strings("adaptedParameters"),
        CarriedState = f.OptionalStrings("carriedState"),
        Statistics = f.OptionalStrings("statistics"),
        SeparableSteps = f.OptionalBool("separableSteps"),
    };

    private static ManifestParameter Parameter(JsonFields f) => new() { Name = f.String("name"), Shape = f.Longs("shape") };

    private static ManifestProvenance Provenance(JsonFields f) => new()
    {
        Dataset = f.String("dataset"),
        Split = f.String("split"),
        Iterations = f.Long("iterations"),
        Seed = f.Long("seed"),
        Metrics = f.OptionalObject("metrics", Metrics),
    };

    private static ManifestMetrics Metrics(JsonFields f) => new()
    {
        Accuracy = f.Double("accuracy"),
        Ci95 = f.Double("ci95"),
        Ways = f.Int("ways"),
        Shots = f.Int("shots"),
        Episodes = f.Int("episodes"),
    };
}
