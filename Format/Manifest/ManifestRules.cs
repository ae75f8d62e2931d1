using System.Globalization;

namespace FewShot.Bundles;

/// <summary>
/// Every rule of the manifest (Format/README.md), in one place: the writer checks them before a byte is written, the
/// reader after parsing, so a bundle the runtime would reject is never produced. The graphs' rules are <see cref="GraphExpectations"/>'s.
/// </summary>
public static class ManifestRules
{
    /// <summary>The first rule <paramref name="manifest"/> breaks, said with the field, its value and what was expected; null when it keeps them all.</summary>
    public static string? FindProblem(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        try
        {
            Check(manifest);
            return null;
        }
        catch (RuleBroken broken)
        {
            return broken.Message;
        }
    }

    /// <summary>The graph entries a bundle with this manifest holds, besides manifest.json and parameters.bin.</summary>
    public static IReadOnlyList<string> GraphEntries(ModelManifest manifest) => manifest.Output.Kind == OutputKind.Embedding
        ? [BundleNames.PredictEntry, BundleNames.AdaptEntry]
        : manifest.InnerLoop?.Statistics is null ? [BundleNames.PredictEntry, BundleNames.AdaptEntry, BundleNames.AdaptKEntry]
        : [BundleNames.PredictEntry, BundleNames.AdaptEntry, BundleNames.AdaptKEntry, BundleNames.StatisticsEntry];

    private static void Check(ModelManifest m)
    {
        Require(m.FormatVersion == BundleNames.FormatVersion, $"formatVersion is {m.FormatVersion}; this library writes and reads {BundleNames.FormatVersion}");
        Require(!string.IsNullOrWhiteSpace(m.Algorithm), "algorithm is empty");
        Require(!string.IsNullOrWhiteSpace(m.Model), "model is empty");
        Require(!string.IsNullOrWhiteSpace(m.CreatedBy), "createdBy is empty");
        Require(m.BatchNorm is null || m.BatchNorm.Trim().Length > 0, "batchNorm is blank; use null for a model without batch norm");
        Require(m.FeatureNormalization is null || FeatureNormalizationNames.All.Contains(m.FeatureNormalization),
            $"featureNormalization is '{m.FeatureNormalization}'; expected one of {string.Join(", ", FeatureNormalizationNames.All)}, or null in bundles written before the field");
        Require(m.FeatureNormalization is null || (m.FeatureNormalization == FeatureNormalizationNames.Batch) == (m.BatchNorm is not null),
            m.BatchNorm is null
                ? "featureNormalization is 'batch' but batchNorm is null; say how the batch statistics are taken"
                : $"batchNorm is set but featureNormalization is '{m.FeatureNormalization}', which has no batch statistics; use null");
        CheckInput(m.Input);
        Require(m.Output is not null, "output is missing");
        Require(Enum.IsDefined(m.Output!.Kind), $"output.kind {(int)m.Output.Kind} is not logits, embedding, reconstruction or regression");
        Require(m.Output.Size > 0, $"output.size must be positive, got {m.Output.Size}");
        CheckParameters(m);
        CheckClasses(m);
        CheckInnerLoop(m);
        CheckFiles(m);
        CheckProvenance(m.Provenance);
    }

    private static void CheckInput(ManifestInput input)
    {
        Require(input is not null, "input is missing");
        IReadOnlyList<long>? shape = input!.Shape;
        Require(shape is { Count: > 0 and <= 8 } && shape.All(d => d is > 0 and <= int.MaxValue) && shape.Aggregate(1.0, (p, d) => p * d) <= int.MaxValue,
            $"input.shape must be 1 to 8 positive sizes of at most {int.MaxValue} elements in all, got [{string.Join(", ", shape ?? [])}]");
        Require(input.Dtype == "float32", $"input.dtype is '{input.Dtype}'; format version {BundleNames.FormatVersion} supports only 'float32'");
        ManifestNormalization? normalization = input.Normalization;
        Require(normalization is not null && !string.IsNullOrWhiteSpace(normalization.Text), "input.normalization.text is missing; say how raw data becomes the input");
        CheckChannels(normalization!.Mean, shape![0], "mean", positive: false);
        CheckChannels(normalization.Std, shape[0], "std", positive: true);
        if (input.Preprocessing is { } p)
        {
            Require(Enum.IsDefined(p.Channels) && Enum.IsDefined(p.Resize) && Enum.IsDefined(p.Bright), "input.preprocessing names an unknown channel order, resize method or bright part");
            long channels = p.Channels == ChannelOrder.Gray ? 1 : 3;
            Require(shape.Count == 3 && shape[0] == channels,
                $"input.preprocessing describes images of {Counted.Of(channels, "channel", "channels")}, [{channels}, height, width], but input.shape is [{string.Join(", ", shape)}]");
            Require(float.IsFinite(p.Min) && float.IsFinite(p.Max) && p.Min < p.Max,
                $"input.preprocessing's min ({p.Min.ToString(CultureInfo.InvariantCulture)}) and max ({p.Max.ToString(CultureInfo.InvariantCulture)}) must be finite with min < max");
        }
    }

    private static void CheckChannels(IReadOnlyList<float>? values, long channels, string field, bool positive)
    {
        if (values is not null)
        {
            Require(values.Count == 1 || values.Count == channels, $"input.normalization.{field} has {Counted.Of(values.Count, "value", "values")}; expected 1 or one per channel ({channels})");
            Require(values.All(v => float.IsFinite(v) && (!positive || v > 0)),
                $"input.normalization.{field} must hold {(positive ? "positive " : string.Empty)}finite values, got [{string.Join(", ", values)}]");
        }
    }

    private static void CheckParameters(ModelManifest m)
    {
        Require(m.Parameters is { Count: > 0 }, "parameters is empty; θ₀ needs at least one tensor");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ManifestParameter parameter in m.Parameters)
        {
            Require(parameter is not null, "parameters holds null");
            string name = parameter!.Name;
            Require(!string.IsNullOrWhiteSpace(name), "a parameter has no name");
            Require(!BundleNames.Reserved.Contains(name) && !name.StartsWith(BundleNames.AdaptedPrefix, StringComparison.Ordinal),
                $"parameter name '{name}' is reserved by the bundle format (reserved: {string.Join(", ", BundleNames.Reserved)} and the prefix '{BundleNames.AdaptedPrefix}')");
            Require(names.Add(name), $"parameter '{name}' is listed twice");
            Require(parameter.Shape is not null && parameter.Shape.Count <= 8 && parameter.Shape.All(d => d is > 0 and <= int.MaxValue)
                && parameter.Shape.Aggregate(1.0, (p, d) => p * d) <= int.MaxValue,
                $"parameter '{name}' has shape [{string.Join(", ", parameter.Shape ?? [])}]; expected at most 8 positive dimensions and at most {int.MaxValue} elements");
        }
    }

    private static void CheckClasses(ModelManifest m)
    {
        OutputKind kind = m.Output.Kind;
        if (kind is not (OutputKind.Logits or OutputKind.Embedding))
        {
            Require(m.Classes is null, $"classes must be null for {Name(kind)} bundles, which have no classes");
            return;
        }

        Require(m.Classes is not null, $"classes is required for {Name(kind)} bundles");
        ManifestClasses classes = m.Classes!;
        Require(classes.Min >= 1, $"classes.min must be at least 1, got {classes.Min}");
        Require(classes.Max is null || classes.Max >= classes.Min, $"classes.max ({classes.Max}) is below classes.min ({classes.Min})");
        if (kind == OutputKind.Logits)
        {
            Require(classes.Max is not null, "classes.max is required for logits bundles: the head's size");
            Require(classes.Max <= m.Output.Size, $"classes.max ({classes.Max}) exceeds the head's {Counted.Of(m.Output.Size, "output", "outputs")} (output.size)");
        }
    }

    private static void CheckInnerLoop(ModelManifest m)
    {
        if (m.Output.Kind == OutputKind.Embedding)
        {
            Require(m.InnerLoop is null, "innerLoop must be null for embedding (prototype) bundles, which adapt without steps");
            return;
        }

        Require(m.InnerLoop is not null, $"innerLoop is required for {Name(m.Output.Kind)} bundles");
        ManifestInnerLoop loop = m.InnerLoop!;
        Require(loop.Steps >= 1, $"innerLoop.steps must be at least 1, got {loop.Steps}");
        Require(double.IsFinite(loop.LearningRate) && loop.LearningRate >= 0, $"innerLoop.learningRate must be finite and not negative, got {loop.LearningRate}");
        Require(loop.AdaptedParameters is { Count: > 0 }, "innerLoop.adaptedParameters is empty; name the parameters adaptation changes");
        var parameters = m.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in loop.AdaptedParameters!)
        {
            Require(name is not null && parameters.Contains(name),
                $"innerLoop.adaptedParameters names '{name}', which is not a parameter (parameters: {string.Join(", ", parameters)})");
            Require(seen.Add(name!), $"innerLoop.adaptedParameters names '{name}' twice");
        }

        Require(loop.Statistics is null || loop.Statistics.Count > 0, "innerLoop.statistics is empty; use null for a bundle without a statistics graph");
        var statistics = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in loop.Statistics ?? [])
        {
            Require(name is not null && seen.Contains(name),
                $"innerLoop.statistics names '{name}', which is not an adapted parameter (innerLoop.adaptedParameters); statistics.onnx computes adapted state");
            Require(statistics.Add(name!), $"innerLoop.statistics names '{name}' twice");
        }

        Require(loop.Statistics is null || loop.Statistics.Count < loop.AdaptedParameters.Count,
            "innerLoop.statistics names every adapted parameter, which leaves the steps nothing to adapt");

        foreach (string name in loop.CarriedState ?? [])
        {
            Require(name is not null && parameters.Contains(name),
                $"innerLoop.carriedState names '{name}', which is not a parameter (its θ₀ is the initial state; parameters: {string.Join(", ", parameters)})");
            Require(seen.Add(name!), $"innerLoop.carriedState names '{name}' twice or also as an adapted parameter");
        }
    }

    private static void CheckFiles(ModelManifest m)
    {
        Require(m.Files is not null, "files is missing");
        List<string> expected = [BundleNames.ParametersEntry, .. GraphEntries(m)];
        foreach (string entry in expected)
        {
            Require(m.Files!.ContainsKey(entry), $"files has no SHA-256 for '{entry}'");
        }

        foreach ((string entry, string hash) in m.Files!)
        {
            Require(expected.Contains(entry), $"files lists '{entry}', which is not an entry of a {Name(m.Output.Kind)} bundle ({string.Join(", ", expected)})");
            Require(hash is { Length: 64 } && hash.All(char.IsAsciiHexDigitLower), $"files['{entry}'] is '{hash}'; expected 64 lowercase hex digits (SHA-256)");
        }
    }

    private static void CheckProvenance(ManifestProvenance provenance)
    {
        Require(provenance is not null, "provenance is missing");
        Require(provenance!.Dataset is not null && provenance.Split is not null, "provenance.dataset and provenance.split are required (empty strings are allowed)");
        Require(provenance.Iterations >= 0, $"provenance.iterations must not be negative, got {provenance.Iterations}");
        if (provenance.Metrics is { } metrics)
        {
            Require(double.IsFinite(metrics.Accuracy) && metrics.Accuracy is >= 0 and <= 1, $"provenance.metrics.accuracy must lie in [0, 1], got {metrics.Accuracy}");
            Require(double.IsFinite(metrics.Ci95) && metrics.Ci95 >= 0, $"provenance.metrics.ci95 must be finite and not negative, got {metrics.Ci95}");
            Require(metrics.Ways >= 1 && metrics.Shots >= 1 && metrics.Episodes >= 1,
                $"provenance.metrics ways, shots and episodes must be at least 1, got {metrics.Ways}, {metrics.Shots}, {metrics.Episodes}");
        }
    }

    private static string Name(OutputKind kind) => kind.ToString().ToLowerInvariant();

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new RuleBroken(problem);
        }
    }

    // Carries the first broken rule out of the nested checks; never leaves this class.
    private sealed class RuleBroken(string message) : Exception(message);
}
