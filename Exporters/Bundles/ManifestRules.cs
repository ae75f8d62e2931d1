using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// The manifest's own rules (the graphs are <see cref="GraphContract"/>'s), checked before anything is written so that
/// a bundle FewShot.Runtime would reject is never produced. The runtime checks the same rules when it loads.
/// </summary>
internal static class ManifestRules
{
    /// <summary>Checks the manifest and θ₀; returns θ₀ by name.</summary>
    /// <exception cref="ArgumentException">A field breaks a rule; the message names the field, its value and what was expected.</exception>
    public static Dictionary<string, TensorProto> Check(BundleManifest manifest, IReadOnlyList<TensorProto> parameters)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(parameters);
        Require(!string.IsNullOrWhiteSpace(manifest.Algorithm), "algorithm is empty");
        Require(!string.IsNullOrWhiteSpace(manifest.Model), "model is empty");
        Require(!string.IsNullOrWhiteSpace(manifest.CreatedBy), "createdBy is empty");
        Require(manifest.BatchNorm is null || manifest.BatchNorm.Trim().Length > 0, "batchNorm is blank; use null for a model without batch norm");
        CheckInput(manifest.Input);
        CheckOutput(manifest.Output);
        Dictionary<string, TensorProto> theta = CheckParameters(parameters);
        CheckClasses(manifest);
        CheckInnerLoop(manifest, theta);
        CheckProvenance(manifest.Provenance);
        return theta;
    }

    private static void CheckInput(BundleInput input)
    {
        Require(input is not null, "input is missing");
        Require(input!.Shape is { Count: > 0 and <= 8 } && input.Shape.All(d => d is > 0 and <= int.MaxValue) && input.Shape.Aggregate(1.0, (p, d) => p * d) <= int.MaxValue,
            $"input.shape must be 1 to 8 positive sizes of at most {int.MaxValue} elements in all, got [{string.Join(", ", input.Shape ?? [])}]");
        Require(input.Dtype == "float32", $"input.dtype is '{input.Dtype}'; format version {BundleNames.FormatVersion} supports only 'float32'");
        Require(input.Normalization is not null && !string.IsNullOrWhiteSpace(input.Normalization.Text), "input.normalization.text is missing; say how raw data becomes the input");
        long channels = input.Shape![0];
        BundleNormalization normalization = input.Normalization!;
        Require(normalization.Mean is null || ((normalization.Mean.Count == 1 || normalization.Mean.Count == channels) && normalization.Mean.All(float.IsFinite)),
            $"input.normalization.mean must be null or 1 or {channels} (one per channel) finite values");
        Require(normalization.Std is null || ((normalization.Std.Count == 1 || normalization.Std.Count == channels) && normalization.Std.All(s => float.IsFinite(s) && s > 0)),
            $"input.normalization.std must be null or 1 or {channels} (one per channel) positive finite values");
    }

    private static void CheckOutput(BundleOutput output)
    {
        Require(output is not null, "output is missing");
        Require(Enum.IsDefined(output!.Kind), $"output.kind {(int)output.Kind} is not one of {string.Join(", ", Enum.GetNames<BundleOutputKind>())}");
        Require(output.Size > 0, $"output.size must be positive, got {output.Size}");
    }

    private static Dictionary<string, TensorProto> CheckParameters(IReadOnlyList<TensorProto> parameters)
    {
        Require(parameters.Count > 0, "no parameters were given; θ₀ needs at least one tensor");
        var theta = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (TensorProto tensor in parameters)
        {
            Require(tensor is not null, "a parameter tensor is null");
            string name = tensor!.Name;
            Require(!string.IsNullOrWhiteSpace(name), "a parameter tensor has no name");
            Require(!BundleNames.Reserved.Contains(name) && !name.StartsWith(BundleNames.AdaptedPrefix, StringComparison.Ordinal),
                $"parameter name '{name}' is reserved by the bundle format (reserved: {string.Join(", ", BundleNames.Reserved)} and the prefix '{BundleNames.AdaptedPrefix}')");
            Require(tensor.DataType == (int)DataType.Float, $"parameter '{name}' has data type {(DataType)tensor.DataType}; parameters are float32");
            Require(tensor.Dims.Count <= 8 && tensor.Dims.All(d => d > 0) && tensor.Dims.Aggregate(1.0, (p, d) => p * d) <= int.MaxValue,
                $"parameter '{name}' has shape [{string.Join(", ", tensor.Dims)}]; expected at most 8 positive dimensions and at most {int.MaxValue} elements");
            Require(theta.TryAdd(name, tensor), $"parameter '{name}' is given twice");
            try
            {
                _ = Graphs.TensorData.ToFloats(tensor);
            }
            catch (InvalidDataException e)
            {
                throw new ArgumentException($"bundle parameter '{name}' is malformed: {e.Message}", "contents", e);
            }
        }

        return theta;
    }

    private static void CheckClasses(BundleManifest manifest)
    {
        BundleOutputKind kind = manifest.Output.Kind;
        bool classifies = kind is BundleOutputKind.Logits or BundleOutputKind.Embedding;
        if (!classifies)
        {
            Require(manifest.Classes is null, $"classes must be null for {Name(kind)} bundles, which have no classes");
            return;
        }

        BundleClasses classes = manifest.Classes
            ?? throw new ArgumentException($"bundle manifest: classes is required for {Name(kind)} bundles", "contents");
        Require(classes.Min >= 1, $"classes.min must be at least 1, got {classes.Min}");
        Require(classes.Max is null || classes.Max >= classes.Min, $"classes.max ({classes.Max}) is below classes.min ({classes.Min})");
        if (kind == BundleOutputKind.Logits)
        {
            Require(classes.Max is not null, "classes.max is required for logits bundles: the head's size");
            Require(classes.Max <= manifest.Output.Size, $"classes.max ({classes.Max}) exceeds the head's {manifest.Output.Size} outputs (output.size)");
        }
    }

    private static void CheckInnerLoop(BundleManifest manifest, Dictionary<string, TensorProto> theta)
    {
        if (manifest.Output.Kind == BundleOutputKind.Embedding)
        {
            Require(manifest.InnerLoop is null, "innerLoop must be null for embedding (prototype) bundles, which adapt without steps");
            return;
        }

        BundleInnerLoop loop = manifest.InnerLoop
            ?? throw new ArgumentException($"bundle manifest: innerLoop is required for {Name(manifest.Output.Kind)} bundles", "contents");
        Require(loop.Steps >= 1, $"innerLoop.steps must be at least 1, got {loop.Steps}");
        Require(double.IsFinite(loop.LearningRate) && loop.LearningRate >= 0, $"innerLoop.learningRate must be finite and not negative, got {loop.LearningRate}");
        Require(loop.AdaptedParameters is { Count: > 0 }, "innerLoop.adaptedParameters is empty; name the parameters adaptation changes");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in loop.AdaptedParameters!)
        {
            Require(name is not null && theta.ContainsKey(name), $"innerLoop.adaptedParameters names '{name}', which is not a parameter (parameters: {string.Join(", ", theta.Keys)})");
            Require(seen.Add(name!), $"innerLoop.adaptedParameters names '{name}' twice");
        }
    }

    private static void CheckProvenance(BundleProvenance provenance)
    {
        Require(provenance is not null, "provenance is missing");
        Require(provenance!.Dataset is not null && provenance.Split is not null, "provenance.dataset and provenance.split are required (empty strings are allowed)");
        Require(provenance.Iterations >= 0, $"provenance.iterations must not be negative, got {provenance.Iterations}");
        if (provenance.Metrics is { } m)
        {
            Require(double.IsFinite(m.Accuracy) && m.Accuracy is >= 0 and <= 1, $"provenance.metrics.accuracy must lie in [0, 1], got {m.Accuracy}");
            Require(double.IsFinite(m.Ci95) && m.Ci95 >= 0, $"provenance.metrics.ci95 must be finite and not negative, got {m.Ci95}");
            Require(m.Ways >= 1 && m.Shots >= 1 && m.Episodes >= 1, $"provenance.metrics ways, shots and episodes must be at least 1, got {m.Ways}, {m.Shots}, {m.Episodes}");
        }
    }

    private static string Name(BundleOutputKind kind) => kind.ToString().ToLowerInvariant();

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"bundle manifest: {problem}", "contents");
        }
    }
}
