namespace FewShot.Bundles;

/// <summary>
/// The graph contract (Format/README.md, "Graph inputs and outputs"), described once: which inputs and outputs each
/// graph must or may have, with element types and shapes derived from the manifest, and the check of a
/// <see cref="GraphSignature"/> against them. The writer (checking ModelProto) and the runtime (checking session
/// metadata) both call it, so they cannot disagree. Stateless and thread-safe.
/// </summary>
public static class GraphExpectations
{
    /// <summary>The inputs other than parameters that a graph may take, each with what it must look like.</summary>
    /// <param name="manifest">The bundle's checked manifest.</param>
    /// <param name="entry">predict.onnx, adapt.onnx, adapt_k.onnx or statistics.onnx.</param>
    /// <param name="prototypeLabels">predict.onnx of an embedding bundle only: whether adapt.onnx outputs "prototype_labels", which predict then takes.</param>
    public static IReadOnlyDictionary<string, TensorSignature> AllowedInputs(ModelManifest manifest, string entry, bool prototypeLabels = false)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        long?[] batch = [null, .. manifest.Input.Shape.Select(d => (long?)d)];
        OutputKind kind = manifest.Output.Kind;
        var allowed = new Dictionary<string, TensorSignature>(StringComparer.Ordinal);
        void Add(string name, GraphElementType type, long?[] dims, string what) => allowed[name] = new TensorSignature(name, type, dims, what);
        if (entry == BundleNames.PredictEntry)
        {
            Add(BundleNames.X, GraphElementType.Float, batch, "the query batch");
            if (kind == OutputKind.Embedding)
            {
                Add(BundleNames.Prototypes, GraphElementType.Float, [null, manifest.Output.Size], "the prototypes");
                if (prototypeLabels)
                {
                    Add(BundleNames.PrototypeLabels, GraphElementType.Float, [null], "the class of each prototype row");
                }
            }

            return allowed;
        }

        Add(BundleNames.SupportX, GraphElementType.Float, batch, "the support batch");
        if (entry == BundleNames.StatisticsEntry)
        {
            return allowed;
        }

        Add(BundleNames.SupportFeatures, GraphElementType.Float, [null, null], "the support features");
        if (entry == BundleNames.AdaptEntry && kind != OutputKind.Embedding)
        {
            Add(BundleNames.Step, GraphElementType.Int64, [], "the index of the step, an int64 scalar");
        }

        if (kind == OutputKind.Regression)
        {
            Add(BundleNames.SupportY, GraphElementType.Float, [null, manifest.Output.Size], "the support targets");
        }
        else if (kind != OutputKind.Reconstruction)
        {
            Add(BundleNames.SupportY, GraphElementType.Int64, [null], "the support class indices");
        }

        return allowed;
    }

    /// <summary>The outputs a graph must have (predict's "features" only when <paramref name="featuresNeeded"/>).</summary>
    public static IReadOnlyList<TensorSignature> RequiredOutputs(ModelManifest manifest, string entry, bool featuresNeeded = false)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        OutputKind kind = manifest.Output.Kind;
        if (entry != BundleNames.PredictEntry)
        {
            IReadOnlyList<string> state = entry switch
            {
                BundleNames.AdaptEntry => manifest.InnerLoop?.StepState ?? [],
                BundleNames.StatisticsEntry => manifest.InnerLoop?.Statistics ?? [],
                _ => manifest.InnerLoop?.State ?? [],
            };
            return kind == OutputKind.Embedding
                ? [new(BundleNames.Prototypes, GraphElementType.Float, [null, manifest.Output.Size], "the prototypes")]
                : [.. state.Select(name => new TensorSignature(
                    BundleNames.Adapted(name), GraphElementType.Float, Shape(manifest, name), $"adapted state '{name}'"))];
        }

        List<TensorSignature> outputs =
        [
            new(BundleNames.Output, GraphElementType.Float, [null, kind == OutputKind.Embedding ? null : manifest.Output.Size], "the predictions, [n, output.size]"),
        ];
        if (kind == OutputKind.Reconstruction)
        {
            outputs.Add(new(BundleNames.Score, GraphElementType.Float, [null], "the anomaly score"));
        }

        if (featuresNeeded)
        {
            outputs.Add(new(BundleNames.Features, GraphElementType.Float, [null, null], "the support features that an adapt graph reads"));
        }

        return outputs;
    }

    /// <summary>
    /// The parameters a graph must take as inputs: all of θ but the carried state for predict, the adaptation state that
    /// the steps carry (adapted parameters but the statistics, and carried state) for adapt.onnx, none for adapt_k.onnx
    /// and statistics.onnx (which the runtime feeds the last step's state for those it takes, θ₀ for the others).
    /// </summary>
    public static IReadOnlyList<string> RequiredParameters(ModelManifest manifest, string entry) => entry switch
    {
        BundleNames.PredictEntry => [.. manifest.Parameters.Select(p => p.Name).Except(Carried(manifest))],
        BundleNames.AdaptEntry when manifest.InnerLoop is { } loop => loop.StepState,
        _ => [],
    };

    /// <summary>The carried state's names (<see cref="ManifestInnerLoop.CarriedState"/>); empty when there is none.</summary>
    public static IReadOnlyList<string> Carried(ModelManifest manifest) => manifest?.InnerLoop?.CarriedState ?? [];

    /// <summary>Checks one graph against the contract.</summary>
    /// <param name="manifest">The bundle's checked manifest.</param>
    /// <param name="entry">predict.onnx, adapt.onnx, adapt_k.onnx or statistics.onnx.</param>
    /// <param name="graph">The graph's declared interface.</param>
    /// <param name="featuresNeeded">predict.onnx only: whether an adapt graph reads support features, so predict must output them.</param>
    /// <param name="prototypeLabels">predict.onnx only: whether adapt.onnx outputs "prototype_labels" (one prototype row per support example), so predict must take them.</param>
    /// <exception cref="BundleFormatException">The graph breaks the contract; the message names the entry, the value and what was expected.</exception>
    public static GraphUse Check(ModelManifest manifest, string entry, GraphSignature graph, bool featuresNeeded = false, bool prototypeLabels = false)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(graph);
        var parameters = manifest.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        IReadOnlyDictionary<string, TensorSignature> allowed = AllowedInputs(manifest, entry, prototypeLabels);
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorSignature input in graph.Inputs)
        {
            Require(inputs.Add(input.Name), entry, $"declares input '{input.Name}' twice");
            TensorSignature expected = allowed.TryGetValue(input.Name, out TensorSignature? value) ? value
                : parameters.ContainsKey(input.Name) ? new TensorSignature(input.Name, GraphElementType.Float, Shape(manifest, input.Name), $"parameter '{input.Name}'")
                : throw Problem(entry, $"takes input '{input.Name}', which is neither a parameter nor one of the inputs this graph may take ({string.Join(", ", allowed.Keys)})");
            Admit(entry, expected, input);
            Require(entry != BundleNames.PredictEntry || !Carried(manifest).Contains(input.Name), entry,
                $"takes '{input.Name}', which innerLoop.carriedState lists: carried state serves adaptation alone, and predict does not read it");
            Require(!graph.Initialized.Contains(input.Name), entry, parameters.ContainsKey(input.Name)
                ? $"stores a value for parameter '{input.Name}'; format {BundleNames.FormatVersion} keeps θ₀ once, in {BundleNames.ParametersEntry}, and graphs take parameters as plain inputs"
                : $"gives input '{input.Name}' an initializer; only constants that are not inputs may have one");
        }

        string? statistic = entry == BundleNames.AdaptEntry ? manifest.InnerLoop?.Statistics?.FirstOrDefault(inputs.Contains) : null;
        Require(statistic is null, entry,
            $"takes '{statistic}', which innerLoop.statistics lists: {BundleNames.StatisticsEntry} computes it after the last step, so no step reads it");
        foreach (string name in RequiredParameters(manifest, entry).Where(n => !inputs.Contains(n)))
        {
            throw Problem(entry, entry == BundleNames.PredictEntry
                ? $"does not take parameter '{name}' as an input; predict takes every parameter but the carried state, so that adapted values can be fed"
                : $"does not take adaptation state '{name}' as an input; the runtime feeds each step's result back into the one-step graph");
        }

        string? support = null;
        bool readsLabels = false;
        if (entry == BundleNames.PredictEntry)
        {
            string? missing = allowed.Keys.FirstOrDefault(n => !inputs.Contains(n));
            Require(missing is null, entry, $"has no '{missing}' input");
        }
        else
        {
            bool readsX = inputs.Contains(BundleNames.SupportX);
            Require(readsX != inputs.Contains(BundleNames.SupportFeatures), entry,
                $"must take exactly one of '{BundleNames.SupportX}' and '{BundleNames.SupportFeatures}'; it takes {(readsX ? "both" : "neither")}");
            support = readsX ? BundleNames.SupportX : BundleNames.SupportFeatures;
            readsLabels = allowed.ContainsKey(BundleNames.SupportY);
            Require(!readsLabels || inputs.Contains(BundleNames.SupportY), entry,
                $"has no '{BundleNames.SupportY}' input; {manifest.Output.Kind.ToString().ToLowerInvariant()} bundles adapt to labelled support sets");
        }

        IReadOnlyList<TensorSignature> required = RequiredOutputs(manifest, entry, featuresNeeded);
        var outputs = graph.Outputs.ToDictionary(o => o.Name, StringComparer.Ordinal);
        foreach (TensorSignature expected in required)
        {
            TensorSignature output = outputs.TryGetValue(expected.Name, out TensorSignature? o) ? o
                : throw Problem(entry, $"has no output '{expected.Name}' ({expected.What}); its outputs are {string.Join(", ", outputs.Keys)}");
            Admit(entry, expected, output);
        }

        string? unlisted = outputs.Keys.FirstOrDefault(o => o.StartsWith(BundleNames.AdaptedPrefix, StringComparison.Ordinal) && required.All(r => r.Name != o));
        Require(unlisted is null || entry == BundleNames.PredictEntry, entry,
            entry == BundleNames.AdaptEntry && manifest.InnerLoop?.Statistics is { } statistics && statistics.Any(s => BundleNames.Adapted(s) == unlisted)
                ? $"outputs '{unlisted}', which innerLoop.statistics lists: {BundleNames.StatisticsEntry} computes it once after the last step, and the steps leave it out"
                : $"outputs '{unlisted}', but innerLoop.adaptedParameters does not list it; the adapted state would silently drop it");
        string[] fetched = [.. required.Where(r => r.Name != BundleNames.Features).Select(r => r.Name)];
        if (entry == BundleNames.AdaptEntry && manifest.Output.Kind == OutputKind.Embedding && outputs.TryGetValue(BundleNames.PrototypeLabels, out TensorSignature? rowLabels))
        {
            // Prototypes one per support example, with their classes: the labels are part of the adapted state.
            Admit(entry, new TensorSignature(BundleNames.PrototypeLabels, GraphElementType.Float, [null], "the class of each prototype row"), rowLabels);
            fetched = [.. fetched, BundleNames.PrototypeLabels];
        }

        string[] taken = [.. manifest.Parameters.Select(p => p.Name).Where(inputs.Contains)];
        return new GraphUse(entry, taken, support, readsLabels, fetched, inputs.Contains(BundleNames.Step));
    }

    private static long?[] Shape(ModelManifest manifest, string parameter) =>
        [.. manifest.Parameters.First(p => p.Name == parameter).Shape.Select(d => (long?)d)];

    private static void Admit(string entry, TensorSignature expected, TensorSignature declared)
    {
        Require(declared.Dimensions is not null, entry,
            $"declares no tensor shape for '{declared.Name}'; the ONNX checker requires a shape on every graph input and output (symbolic dimensions such as \"n\" are fine)");
        Require(declared.Type == expected.Type, entry, $"declares '{declared.Name}' ({expected.What}) as {declared.Type}; expected {expected.Type}");
        Require(expected.Admits(declared), entry, $"declares '{declared.Name}' ({expected.What}) with shape {declared.ShapeText}; expected {expected.ShapeText}");
    }

    private static void Require(bool condition, string entry, string problem)
    {
        if (!condition)
        {
            throw Problem(entry, problem);
        }
    }

    private static BundleFormatException Problem(string entry, string problem) => new(entry, $"{entry} {problem}");
}
