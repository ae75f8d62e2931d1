using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// Checks the three graphs against the bundle contract (Bundles/README.md) and returns copies with θ₀ stored as the
/// initializer of every parameter input. The caller's models are never edited.
/// </summary>
internal static class GraphContract
{
    /// <summary>The graphs ready to serialize, in entry order; AdaptK is null for prototype bundles.</summary>
    public sealed record Prepared(ModelProto Predict, ModelProto Adapt, ModelProto? AdaptK);

    /// <summary>Checks <paramref name="contents"/> (whose manifest <see cref="ManifestRules"/> has passed) and attaches θ₀.</summary>
    /// <exception cref="ArgumentException">A graph breaks the contract; the message names the entry, the value and what was expected.</exception>
    public static Prepared Prepare(BundleContents contents, IReadOnlyDictionary<string, TensorProto> theta)
    {
        BundleManifest manifest = contents.Manifest;
        BundleOutputKind kind = manifest.Output.Kind;
        bool prototypes = kind == BundleOutputKind.Embedding;
        ArgumentNullException.ThrowIfNull(contents.Predict, nameof(contents.Predict));
        ArgumentNullException.ThrowIfNull(contents.Adapt, nameof(contents.Adapt));
        if (prototypes != (contents.AdaptK is null))
        {
            throw Problem(BundleNames.AdaptKEntry, prototypes
                ? "an embedding (prototype) bundle has no K-step graph; leave AdaptK null"
                : "a gradient-step bundle needs the K-step unrolled graph; AdaptK is null");
        }

        var shapes = theta.ToDictionary(p => p.Key, p => p.Value.Dims.ToArray(), StringComparer.Ordinal);
        ModelProto predict = Attach(contents.Predict, BundleNames.PredictEntry, theta);
        ModelProto adapt = Attach(contents.Adapt, BundleNames.AdaptEntry, theta);
        ModelProto? adaptK = contents.AdaptK is null ? null : Attach(contents.AdaptK, BundleNames.AdaptKEntry, theta);

        bool needsFeatures = false;
        foreach ((ModelProto? model, string entry) in new[] { (adapt, BundleNames.AdaptEntry), (adaptK, BundleNames.AdaptKEntry) })
        {
            if (model is not null)
            {
                needsFeatures |= CheckAdapt(model.Graph, entry, manifest, shapes);
            }
        }

        CheckPredict(predict.Graph, manifest, shapes, needsFeatures);
        return new Prepared(predict, adapt, adaptK);
    }

    private static ModelProto Attach(ModelProto source, string entry, IReadOnlyDictionary<string, TensorProto> theta)
    {
        if (source.IrVersion < 4)
        {
            throw Problem(entry, $"IR version {source.IrVersion} cannot give a graph input an initializer default; it needs IR 4 or later (FewShot writes {Graphs.OnnxVersions.IrVersion})");
        }

        ModelProto model = source.Clone();
        GraphProto graph = model.Graph ?? throw Problem(entry, "the model has no graph");
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (ValueInfoProto info in graph.Input.Concat(graph.Output))
        {
            RequireShape(entry, info);
        }

        foreach (ValueInfoProto input in graph.Input)
        {
            if (!inputs.Add(input.Name))
            {
                throw Problem(entry, $"input '{input.Name}' is declared twice");
            }
        }

        foreach (TensorProto initializer in graph.Initializer)
        {
            if (inputs.Contains(initializer.Name) && !theta.ContainsKey(initializer.Name))
            {
                throw Problem(entry, $"input '{initializer.Name}' has an initializer but is not a parameter; only parameters may be overridable (parameters: {string.Join(", ", theta.Keys)})");
            }
        }

        // θ₀ replaces whatever initializer a parameter input had, so every graph carries the same, given values.
        var stale = graph.Initializer.Where(i => theta.ContainsKey(i.Name)).ToList();
        foreach (TensorProto initializer in stale)
        {
            graph.Initializer.Remove(initializer);
        }

        foreach (ValueInfoProto input in graph.Input.Where(i => theta.ContainsKey(i.Name)))
        {
            TensorProto value = theta[input.Name];
            RequireTensor(entry, input, DataType.Float, value.Dims.Select(d => (long?)d).ToArray(), $"parameter '{input.Name}'");
            graph.Initializer.Add(value.Clone());
        }

        return model;
    }

    private static bool CheckAdapt(GraphProto graph, string entry, BundleManifest manifest, Dictionary<string, long[]> shapes)
    {
        BundleOutputKind kind = manifest.Output.Kind;
        long?[] example = [.. manifest.Input.Shape.Select(d => (long?)d)];
        var allowed = new Dictionary<string, Action<ValueInfoProto>>(StringComparer.Ordinal)
        {
            [BundleNames.SupportX] = i => RequireTensor(entry, i, DataType.Float, [null, .. example], "the support batch"),
            [BundleNames.SupportFeatures] = i => RequireTensor(entry, i, DataType.Float, [null, null], "the support features"),
        };
        if (kind == BundleOutputKind.Regression)
        {
            allowed[BundleNames.SupportY] = i => RequireTensor(entry, i, DataType.Float, [null, manifest.Output.Size], "the support targets");
        }
        else if (kind != BundleOutputKind.Reconstruction)
        {
            allowed[BundleNames.SupportY] = i => RequireTensor(entry, i, DataType.Int64, [null], "the support class indices");
        }

        HashSet<string> inputs = CheckInputs(graph, entry, shapes, allowed);
        bool takesX = inputs.Contains(BundleNames.SupportX);
        bool takesFeatures = inputs.Contains(BundleNames.SupportFeatures);
        if (takesX == takesFeatures)
        {
            throw Problem(entry, $"an adapt graph takes exactly one of '{BundleNames.SupportX}' and '{BundleNames.SupportFeatures}'; this one takes {(takesX ? "both" : "neither")}");
        }

        if (allowed.ContainsKey(BundleNames.SupportY) && !inputs.Contains(BundleNames.SupportY))
        {
            throw Problem(entry, $"input '{BundleNames.SupportY}' is missing; {kind.ToString().ToLowerInvariant()} bundles adapt to labelled support sets");
        }

        var outputs = graph.Output.ToDictionary(o => o.Name, StringComparer.Ordinal);
        if (kind == BundleOutputKind.Embedding)
        {
            RequireTensor(entry, Output(outputs, entry, BundleNames.Prototypes), DataType.Float, [null, manifest.Output.Size], "the prototypes");
            return takesFeatures;
        }

        IReadOnlyList<string> adapted = manifest.InnerLoop!.AdaptedParameters;
        foreach (string name in adapted)
        {
            ValueInfoProto output = Output(outputs, entry, BundleNames.Adapted(name));
            RequireTensor(entry, output, DataType.Float, shapes[name].Select(d => (long?)d).ToArray(), $"adapted parameter '{name}'");
            if (entry == BundleNames.AdaptEntry && !inputs.Contains(name))
            {
                throw Problem(entry, $"adapted parameter '{name}' is not an input; the runtime feeds each step's result back into the one-step graph");
            }
        }

        string? extra = outputs.Keys.FirstOrDefault(o => o.StartsWith(BundleNames.AdaptedPrefix, StringComparison.Ordinal)
            && !adapted.Contains(o[BundleNames.AdaptedPrefix.Length..], StringComparer.Ordinal));
        if (extra is not null)
        {
            throw Problem(entry, $"output '{extra}' is not listed in innerLoop.adaptedParameters ({string.Join(", ", adapted)})");
        }

        return takesFeatures;
    }

    private static void CheckPredict(GraphProto graph, BundleManifest manifest, Dictionary<string, long[]> shapes, bool needsFeatures)
    {
        const string entry = BundleNames.PredictEntry;
        BundleOutputKind kind = manifest.Output.Kind;
        var allowed = new Dictionary<string, Action<ValueInfoProto>>(StringComparer.Ordinal)
        {
            [BundleNames.X] = i => RequireTensor(entry, i, DataType.Float, [null, .. manifest.Input.Shape.Select(d => (long?)d)], "the query batch"),
        };
        if (kind == BundleOutputKind.Embedding)
        {
            allowed[BundleNames.Prototypes] = i => RequireTensor(entry, i, DataType.Float, [null, manifest.Output.Size], "the prototypes");
        }

        HashSet<string> inputs = CheckInputs(graph, entry, shapes, allowed);
        foreach (string required in allowed.Keys.Where(r => !inputs.Contains(r)))
        {
            throw Problem(entry, $"input '{required}' is missing");
        }

        string? unused = shapes.Keys.FirstOrDefault(p => !inputs.Contains(p));
        if (unused is not null)
        {
            throw Problem(entry, $"parameter '{unused}' is not an input; predict takes every parameter, so that adapted values can be fed");
        }

        var outputs = graph.Output.ToDictionary(o => o.Name, StringComparer.Ordinal);
        long? width = kind == BundleOutputKind.Embedding ? null : manifest.Output.Size;
        RequireTensor(entry, Output(outputs, entry, BundleNames.Output), DataType.Float, [null, width], "the predictions, [n, output.size]");

        if (kind == BundleOutputKind.Reconstruction)
        {
            RequireTensor(entry, Output(outputs, entry, BundleNames.Score), DataType.Float, [null], "the anomaly score");
        }

        if (needsFeatures)
        {
            RequireTensor(entry, Output(outputs, entry, BundleNames.Features), DataType.Float, [null, null], "the support features that adapt.onnx reads");
        }
    }

    private static HashSet<string> CheckInputs(GraphProto graph, string entry, Dictionary<string, long[]> shapes, Dictionary<string, Action<ValueInfoProto>> allowed)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ValueInfoProto input in graph.Input)
        {
            names.Add(input.Name);
            if (allowed.TryGetValue(input.Name, out Action<ValueInfoProto>? check))
            {
                check(input);
            }
            else if (!shapes.ContainsKey(input.Name))
            {
                throw Problem(entry, $"input '{input.Name}' is neither a parameter nor one of the inputs this graph may take ({string.Join(", ", allowed.Keys)})");
            }
        }

        return names;
    }

    private static ValueInfoProto Output(Dictionary<string, ValueInfoProto> outputs, string entry, string name) =>
        outputs.TryGetValue(name, out ValueInfoProto? output)
            ? output
            : throw Problem(entry, $"output '{name}' is missing (outputs: {string.Join(", ", outputs.Keys)})");

    private static void RequireShape(string entry, ValueInfoProto info)
    {
        if (info.Type?.TensorType is not { Shape: not null })
        {
            throw Problem(entry, $"'{info.Name}' declares no tensor shape; the ONNX checker requires a shape on every graph input and output (symbolic dimensions such as \"n\" are fine)");
        }
    }

    private static void RequireTensor(string entry, ValueInfoProto info, DataType type, long?[]? dims, string what)
    {
        TypeProto.Types.Tensor tensor = info.Type.TensorType;
        if (tensor.ElemType != (int)type)
        {
            throw Problem(entry, $"'{info.Name}' ({what}) has element type {(DataType)tensor.ElemType}; expected {type}");
        }

        if (dims is null)
        {
            return;
        }

        var declared = tensor.Shape.Dim;
        bool matches = declared.Count == dims.Length
            && declared.Zip(dims).All(p => p.Second is null || !p.First.HasDimValue || p.First.DimValue == p.Second);
        if (!matches)
        {
            string shown = string.Join(", ", declared.Select(d => d.HasDimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam));
            string expected = string.Join(", ", dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "n"));
            throw Problem(entry, $"'{info.Name}' ({what}) has shape [{shown}]; expected [{expected}]");
        }
    }

    private static ArgumentException Problem(string entry, string problem) => new($"{entry}: {problem}", "contents");
}
