using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using FewShot.Runtime.Sessions;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// The bundle's graphs loaded into ONNX Runtime, checked against the manifest, with every run prepared once.
/// Thread-safe (sessions and runners are); disposing releases the sessions once in-flight runs finish.
/// </summary>
internal sealed class BundleGraphs : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Lazy<AdaptGraph>? _unrolled;
    private bool _disposed;

    /// <exception cref="InvalidBundleException">ONNX Runtime rejects a graph, or a graph breaks the contract.</exception>
    /// <exception cref="ExecutionDeviceException">The device cannot be used (e.g. CUDA missing): raised before any graph loads.</exception>
    public BundleGraphs(BundleArchive archive, RuntimeOptions options, ILogger logger)
    {
        try
        {
            // Created first and apart, so a device problem surfaces as itself and not as a fault of the bundle.
            using SessionOptions native = SessionOptionsFactory.Create(options, null, logger);
            ModelManifest manifest = archive.Manifest;
            OutputKind kind = manifest.Output.Kind;
            var parameters = manifest.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
            bool prototypes = kind == OutputKind.Embedding;
            StateNames = prototypes ? [BundleEntries.Prototypes] : [.. manifest.InnerLoop!.AdaptedParameters];
            StateShapes = prototypes ? [[-1, manifest.Output.Size]] : [.. StateNames.Select(n => parameters[n].Shape.ToArray())];

            InferenceSession predict = Open(archive, BundleEntries.Predict, native, options, logger);
            InferenceSession adapt = Open(archive, BundleEntries.Adapt, native, options, logger);

            string[] adaptedParameters = prototypes ? [] : StateNames;
            First = PrepareAdapt(adapt, BundleEntries.Adapt, manifest, parameters, adaptedParameters, feedsState: false);
            if (!prototypes)
            {
                Step = PrepareAdapt(adapt, BundleEntries.Adapt, manifest, parameters, adaptedParameters, feedsState: true);

                // The unrolled graph is the largest and, on ORT's CPU provider, no faster than K one-step runs; creating
                // its session took most of the load time (0.2 s for conv4, K = 5), so it waits until it is asked for.
                RuntimeOptions later = options.Copy();
                _unrolled = new Lazy<AdaptGraph>(
                    () => OpenUnrolled(archive, later, logger, manifest, parameters, adaptedParameters), LazyThreadSafetyMode.ExecutionAndPublication);
            }

            Predict = PreparePredict(predict, manifest, parameters, adaptedParameters, featuresNeeded: First.ReadsFeatures);
            if (First.ReadsFeatures)
            {
                Features = new PreparedRun(predict, [BundleEntries.X], [BundleEntries.Features]);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The adapted model's state names, in feed order: the adapted parameters, or "prototypes".</summary>
    public string[] StateNames { get; }

    /// <summary>Their shapes from the manifest (-1 for the prototypes' class count).</summary>
    public long[][] StateShapes { get; }

    /// <summary>Predict: "x", then the state tensors → "output" (and "score" for reconstruction bundles).</summary>
    public PreparedRun Predict { get; }

    /// <summary>Predict's "x" as the graph declares it (a fixed batch size, rarely, included).</summary>
    public GraphValue PredictInput { get; private set; } = null!;

    /// <summary>Predict's "x" → "features", when an adapt graph reads support features; else null.</summary>
    public PreparedRun? Features { get; }

    /// <summary>adapt.onnx from θ₀: the support (and labels) → the state after one step, or the prototypes.</summary>
    public AdaptGraph First { get; }

    /// <summary>adapt.onnx from a given state: state tensors, support (and labels) → the next state; null for prototype bundles.</summary>
    public AdaptGraph? Step { get; }

    /// <summary>adapt_k.onnx from θ₀: K steps in one run; null for prototype bundles. Its session is created and checked on first use.</summary>
    /// <exception cref="InvalidBundleException">ONNX Runtime rejects adapt_k.onnx, or it breaks the contract.</exception>
    /// <exception cref="ObjectDisposedException">The graphs have been disposed.</exception>
    public AdaptGraph? Unrolled => _unrolled?.Value;

    /// <summary>
    /// Disposes the sessions. Idempotent; never throws. Callers (<see cref="FewShotModel"/>) dispose only once no run is
    /// in progress: ONNX Runtime's managed sessions must not be released under a running call.
    /// </summary>
    public void Dispose()
    {
        lock (_owned)
        {
            _disposed = true;
            for (int i = _owned.Count - 1; i >= 0; i--)
            {
                _owned[i].Dispose();
            }
        }
    }

    private AdaptGraph OpenUnrolled(
        BundleArchive archive, RuntimeOptions options, ILogger logger, ModelManifest manifest, Dictionary<string, ManifestParameter> parameters, string[] adaptedParameters)
    {
        lock (_owned)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(FewShotModel));
            using SessionOptions native = SessionOptionsFactory.Create(options, null, logger);
            AdaptGraph unrolled = PrepareAdapt(Open(archive, BundleEntries.AdaptK, native, options, logger), BundleEntries.AdaptK, manifest, parameters, adaptedParameters, feedsState: false);
            if (unrolled.ReadsFeatures && Features is null)
            {
                throw new InvalidBundleException(BundleEntries.AdaptK,
                    $"{BundleEntries.AdaptK} reads '{BundleEntries.SupportFeatures}' but {BundleEntries.Adapt} reads '{BundleEntries.SupportX}'; "
                    + $"a bundle computes support features for its K-step graph only if its one-step graph reads them too");
            }

            return unrolled;
        }
    }

    private InferenceSession Open(BundleArchive archive, string entry, SessionOptions native, RuntimeOptions options, ILogger logger)
    {
        try
        {
            if (options.ProfilingFilePrefix is { } prefix)
            {
                // One profile per graph: ORT names the files by prefix and the second, so sessions must not share a prefix.
                using SessionOptions profiled = SessionOptionsFactory.Create(options, $"{prefix}_{Path.GetFileNameWithoutExtension(entry)}", logger);
                return Own(new InferenceSession(archive.Graphs[entry], profiled));
            }

            return Own(new InferenceSession(archive.Graphs[entry], native));
        }
        catch (OnnxRuntimeException e) when (options.Device.Kind == ExecutionDeviceKind.Cuda && e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase))
        {
            throw ExecutionDeviceException.CudaUnavailable(options.Device, e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidBundleException(entry, $"ONNX Runtime cannot load {entry}: {e.Message.Trim()}", e);
        }
    }

    private AdaptGraph PrepareAdapt(
        InferenceSession session, string entry, ModelManifest manifest, Dictionary<string, ManifestParameter> parameters,
        string[] adaptedParameters, bool feedsState)
    {
        var checks = new GraphChecks(session, entry);
        OutputKind kind = manifest.Output.Kind;
        var allowed = new Dictionary<string, GraphChecks.Expected>(StringComparer.Ordinal)
        {
            [BundleEntries.SupportX] = new(TensorElementType.Float, [-1, .. manifest.Input.Shape], "the support batch"),
            [BundleEntries.SupportFeatures] = new(TensorElementType.Float, [-1, -1], "the support features"),
        };
        if (kind == OutputKind.Regression)
        {
            allowed[BundleEntries.SupportY] = new(TensorElementType.Float, [-1, manifest.Output.Size], "the support targets");
        }
        else if (kind != OutputKind.Reconstruction)
        {
            allowed[BundleEntries.SupportY] = new(TensorElementType.Int64, [-1], "the support class indices");
        }

        IReadOnlySet<string> inputs = checks.RequireInputs(allowed);
        bool readsX = inputs.Contains(BundleEntries.SupportX);
        if (readsX == inputs.Contains(BundleEntries.SupportFeatures))
        {
            throw checks.Invalid($"must take exactly one of '{BundleEntries.SupportX}' and '{BundleEntries.SupportFeatures}'; it takes {(readsX ? "both" : "neither")}");
        }

        bool readsLabels = allowed.ContainsKey(BundleEntries.SupportY);
        if (readsLabels && !inputs.Contains(BundleEntries.SupportY))
        {
            throw checks.Invalid($"has no '{BundleEntries.SupportY}' input; {kind.ToString().ToLowerInvariant()} bundles adapt to labelled support sets");
        }

        string[] outputs;
        if (kind == OutputKind.Embedding)
        {
            checks.RequireParameters(parameters, [], string.Empty);
            checks.RequireOutput(BundleEntries.Prototypes, new(TensorElementType.Float, [-1, manifest.Output.Size], "the prototypes"));
            outputs = [BundleEntries.Prototypes];
        }
        else
        {
            checks.RequireParameters(parameters, entry == BundleEntries.Adapt ? adaptedParameters : [], "the runtime feeds each step's result back into the one-step graph");
            foreach (string name in adaptedParameters)
            {
                checks.RequireOutput(BundleEntries.AdaptedPrefix + name, new(TensorElementType.Float, [.. parameters[name].Shape], $"adapted '{name}'"));
            }

            outputs = [.. adaptedParameters.Select(n => BundleEntries.AdaptedPrefix + n)];
            string? unlisted = checks.Outputs.FirstOrDefault(o => o.StartsWith(BundleEntries.AdaptedPrefix, StringComparison.Ordinal) && !outputs.Contains(o));
            if (unlisted is not null)
            {
                throw checks.Invalid($"outputs '{unlisted}', but innerLoop.adaptedParameters does not list it; the adapted state would silently drop it");
            }
        }

        GraphValue support = checks.FindInput(readsX ? BundleEntries.SupportX : BundleEntries.SupportFeatures)!;
        string[] feeds = [.. feedsState ? adaptedParameters : [], support.Name, .. readsLabels ? [BundleEntries.SupportY] : Array.Empty<string>()];
        return new AdaptGraph(new PreparedRun(session, feeds, outputs), support, readsLabels, entry);
    }

    private PreparedRun PreparePredict(
        InferenceSession session, ModelManifest manifest, Dictionary<string, ManifestParameter> parameters,
        string[] adaptedParameters, bool featuresNeeded)
    {
        var checks = new GraphChecks(session, BundleEntries.Predict);
        OutputKind kind = manifest.Output.Kind;
        var allowed = new Dictionary<string, GraphChecks.Expected>(StringComparer.Ordinal)
        {
            [BundleEntries.X] = new(TensorElementType.Float, [-1, .. manifest.Input.Shape], "the query batch"),
        };
        if (kind == OutputKind.Embedding)
        {
            allowed[BundleEntries.Prototypes] = new(TensorElementType.Float, [-1, manifest.Output.Size], "the prototypes");
        }

        IReadOnlySet<string> inputs = checks.RequireInputs(allowed);
        string? missing = allowed.Keys.FirstOrDefault(name => !inputs.Contains(name));
        if (missing is not null)
        {
            throw checks.Invalid($"has no '{missing}' input");
        }

        checks.RequireParameters(parameters, adaptedParameters, "predictions feed the adapted value");
        long width = kind == OutputKind.Embedding ? -1 : manifest.Output.Size;
        checks.RequireOutput(BundleEntries.Output, new(TensorElementType.Float, [-1, width], "the predictions, [n, output.size]"));
        string[] outputs = [BundleEntries.Output];
        if (kind == OutputKind.Reconstruction)
        {
            checks.RequireOutput(BundleEntries.Score, new(TensorElementType.Float, [-1], "the anomaly score"));
            outputs = [BundleEntries.Output, BundleEntries.Score];
        }

        if (featuresNeeded)
        {
            checks.RequireOutput(BundleEntries.Features, new(TensorElementType.Float, [-1, -1], "the support features that an adapt graph reads"));
        }

        PredictInput = checks.FindInput(BundleEntries.X)!;
        return new PreparedRun(session, [BundleEntries.X, .. StateNames], outputs);
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
