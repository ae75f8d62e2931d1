using System.Text.Json;

namespace FewShot.Runtime.Bundles;

/// <summary>Parses manifest.json and checks every rule of the format (Exporters/Bundles/README.md), field by field.</summary>
internal static class ManifestReader
{
    private const string Entry = BundleEntries.Manifest;

    /// <summary>The checked manifest.</summary>
    /// <exception cref="InvalidBundleException">The JSON is malformed, of an unknown format version, or breaks a rule; the message names the field.</exception>
    public static ModelManifest Read(ReadOnlySpan<byte> json)
    {
        CheckVersion(json);
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ModelManifest);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidBundleException(Entry, $"manifest.json does not match the manifest schema: {e.Message}", e);
        }

        Validate(manifest ?? throw new InvalidBundleException(Entry, "manifest.json holds null, not a manifest object"));
        return manifest;
    }

    private static void CheckVersion(ReadOnlySpan<byte> json)
    {
        // Read apart from the schema, so that a newer bundle says "newer format" rather than "unknown field".
        int version;
        try
        {
            var reader = new Utf8JsonReader(json);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("formatVersion", out JsonElement value)
                || value.ValueKind != JsonValueKind.Number
                || !value.TryGetInt32(out version))
            {
                throw new InvalidBundleException(Entry, "manifest.json has no integer \"formatVersion\"; it is not a FewShot bundle manifest");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidBundleException(Entry, $"manifest.json is not valid JSON: {e.Message}", e);
        }

        if (version != ModelManifest.SupportedFormatVersion)
        {
            throw new InvalidBundleException(Entry,
                $"bundle format version {version} is not supported: this runtime reads format version {ModelManifest.SupportedFormatVersion}"
                + (version > ModelManifest.SupportedFormatVersion ? "; update FewShot.Runtime to load it" : string.Empty));
        }
    }

    private static void Validate(ModelManifest m)
    {
        // The serializer enforces non-null members but not non-null elements of lists and dictionaries.
        Require(m.Parameters.All(p => p is not null), "parameters holds null");
        Require(m.InnerLoop?.AdaptedParameters.All(n => n is not null) ?? true, "innerLoop.adaptedParameters holds null");
        Require(m.Files.Values.All(h => h is not null), "files holds a null hash");
        Require(m.Algorithm.Trim().Length > 0, "algorithm is empty");
        Require(m.Model.Trim().Length > 0, "model is empty");
        Require(m.CreatedBy.Trim().Length > 0, "createdBy is empty");
        Require(m.Input.Shape.Count is > 0 and <= 8 && m.Input.Shape.All(d => d is > 0 and <= int.MaxValue),
            $"input.shape must be 1 to 8 positive sizes, got [{string.Join(", ", m.Input.Shape)}]");
        Require(m.Input.Shape.Aggregate(1.0, (p, d) => p * d) <= int.MaxValue, $"input.shape [{string.Join(", ", m.Input.Shape)}] has more elements than an example may ({int.MaxValue})");
        Require(m.Input.Dtype == "float32", $"input.dtype is '{m.Input.Dtype}'; format version 1 supports only 'float32'");
        Require(m.Input.Normalization.Text.Trim().Length > 0, "input.normalization.text is empty");
        CheckChannels(m.Input.Normalization.Mean, m.Input.Shape[0], "mean", positive: false);
        CheckChannels(m.Input.Normalization.Std, m.Input.Shape[0], "std", positive: true);
        Require(Enum.IsDefined(m.Output.Kind), $"output.kind {(int)m.Output.Kind} is not logits, embedding, reconstruction or regression");
        Require(m.Output.Size > 0, $"output.size must be positive, got {m.Output.Size}");
        ValidateParameters(m);
        ValidateClasses(m);
        ValidateInnerLoop(m);
        ValidateFiles(m);
        ManifestProvenance p = m.Provenance;
        Require(p.Iterations >= 0, $"provenance.iterations must not be negative, got {p.Iterations}");
        if (p.Metrics is { } metrics)
        {
            Require(metrics.Accuracy is >= 0 and <= 1, $"provenance.metrics.accuracy must lie in [0, 1], got {metrics.Accuracy}");
            Require(double.IsFinite(metrics.Ci95) && metrics.Ci95 >= 0, $"provenance.metrics.ci95 must be finite and not negative, got {metrics.Ci95}");
            Require(metrics.Ways >= 1 && metrics.Shots >= 1 && metrics.Episodes >= 1, "provenance.metrics ways, shots and episodes must be at least 1");
        }
    }

    private static void ValidateParameters(ModelManifest m)
    {
        Require(m.Parameters.Count > 0, "parameters is empty");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ManifestParameter parameter in m.Parameters)
        {
            string name = parameter.Name;
            Require(name.Length > 0 && !BundleEntries.ReservedNames.Contains(name) && !name.StartsWith(BundleEntries.AdaptedPrefix, StringComparison.Ordinal),
                $"parameter name '{name}' is empty or reserved by the format");
            Require(names.Add(name), $"parameter '{name}' is listed twice");
            Require(parameter.Shape.Count <= 8 && parameter.Shape.All(d => d is > 0 and <= int.MaxValue)
                && parameter.Shape.Aggregate(1.0, (p, d) => p * d) <= int.MaxValue,
                $"parameter '{name}' has shape [{string.Join(", ", parameter.Shape)}]; expected at most 8 positive dimensions and at most {int.MaxValue} elements");
        }
    }

    private static void ValidateClasses(ModelManifest m)
    {
        bool classifies = m.Output.Kind is OutputKind.Logits or OutputKind.Embedding;
        if (!classifies)
        {
            Require(m.Classes is null, $"classes must be null for {Name(m.Output.Kind)} bundles");
            return;
        }

        ManifestClasses classes = m.Classes ?? throw Invalid($"classes is required for {Name(m.Output.Kind)} bundles");
        Require(classes.Min >= 1, $"classes.min must be at least 1, got {classes.Min}");
        Require(classes.Max is null || classes.Max >= classes.Min, $"classes.max ({classes.Max}) is below classes.min ({classes.Min})");
        if (m.Output.Kind == OutputKind.Logits)
        {
            Require(classes.Max is not null && classes.Max <= m.Output.Size,
                $"classes.max ({classes.Max?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}) must be given and at most the head's {m.Output.Size} outputs");
        }
    }

    private static void ValidateInnerLoop(ModelManifest m)
    {
        if (m.Output.Kind == OutputKind.Embedding)
        {
            Require(m.InnerLoop is null, "innerLoop must be null for embedding (prototype) bundles");
            return;
        }

        ManifestInnerLoop loop = m.InnerLoop ?? throw Invalid($"innerLoop is required for {Name(m.Output.Kind)} bundles");
        Require(loop.Steps >= 1, $"innerLoop.steps must be at least 1, got {loop.Steps}");
        Require(double.IsFinite(loop.LearningRate) && loop.LearningRate >= 0, $"innerLoop.learningRate must be finite and not negative, got {loop.LearningRate}");
        Require(loop.AdaptedParameters.Count > 0, "innerLoop.adaptedParameters is empty");
        var parameters = m.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in loop.AdaptedParameters)
        {
            Require(parameters.Contains(name), $"innerLoop.adaptedParameters names '{name}', which is not in parameters");
            Require(seen.Add(name), $"innerLoop.adaptedParameters names '{name}' twice");
        }
    }

    private static void ValidateFiles(ModelManifest m)
    {
        var expected = new List<string> { BundleEntries.Predict, BundleEntries.Adapt };
        if (m.InnerLoop is not null)
        {
            expected.Add(BundleEntries.AdaptK);
        }

        foreach (string entry in expected)
        {
            Require(m.Files.ContainsKey(entry), $"files has no SHA-256 for '{entry}'");
        }

        foreach ((string entry, string hash) in m.Files)
        {
            Require(expected.Contains(entry), $"files lists '{entry}', which is not an entry of a {Name(m.Output.Kind)} bundle ({string.Join(", ", expected)})");
            Require(hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower), $"files['{entry}'] is '{hash}'; expected 64 lowercase hex digits (SHA-256)");
        }
    }

    private static void CheckChannels(IReadOnlyList<float>? values, long channels, string field, bool positive)
    {
        if (values is not null)
        {
            Require(values.Count == 1 || values.Count == channels,
                $"input.normalization.{field} has {values.Count} values; expected 1 or one per channel ({channels})");
            Require(values.All(v => float.IsFinite(v) && (!positive || v > 0)),
                $"input.normalization.{field} must hold {(positive ? "positive " : string.Empty)}finite values, got [{string.Join(", ", values)}]");
        }
    }

    private static string Name(OutputKind kind) => kind.ToString().ToLowerInvariant();

    private static InvalidBundleException Invalid(string problem) => new(Entry, $"manifest.json: {problem}");

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw Invalid(problem);
        }
    }
}
