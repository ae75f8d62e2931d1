using FewShot.Bundles;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using FewShot.Runtime.Sessions;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// The bundle's graphs loaded into ONNX Runtime, checked against the manifest, with every run prepared once.
/// Thread-safe (sessions and runners are); disposing releases the sessions once in-flight runs finish.
/// </summary>
internal sealed partial class BundleGraphs : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<string, OrtValue> _theta = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedTensor> _parameters = new(StringComparer.Ordinal);

    // Per session, the parameter inputs written into its graph as initializers of θ₀ (ConstantInputs): runs do not feed them.
    private readonly Dictionary<InferenceSession, IReadOnlySet<string>> _constant = [];
    private readonly Lazy<AdaptGraph>? _unrolled;
    private readonly AdaptGraph? _first;
    private readonly Action<BundleGraphs, string>? _sessionCreated;
    private bool _disposed;

    /// <param name="archive">The bundle, read and checked.</param>
    /// <param name="options">A copy of the load's options, kept for the sessions opened later.</param>
    /// <param name="logger">Receives the sessions' warnings.</param>
    /// <param name="cancellationToken">
    /// Checked between sessions: before statistics.onnx's, the one session created after others (predict's and adapt's are
    /// created side by side). A cancellation disposes what was created and throws <see cref="OperationCanceledException"/>.
    /// </param>
    /// <param name="sessionCreated">For tests: called with these graphs and the entry's name after each session is created.</param>
    /// <exception cref="InvalidBundleException">ONNX Runtime rejects a graph, or a graph breaks the contract.</exception>
    /// <exception cref="ExecutionDeviceException">The device cannot be used (e.g. CUDA missing): raised before any graph loads.</exception>
    public BundleGraphs(
        BundleArchive archive, RuntimeOptions options, ILogger logger, CancellationToken cancellationToken = default, Action<BundleGraphs, string>? sessionCreated = null)
    {
        _sessionCreated = sessionCreated;
        try
        {
            // Created first and apart, so a device problem surfaces as itself and not as a fault of the bundle.
            using SessionOptions native = SessionOptionsFactory.Create(options, null, logger);
            ModelManifest manifest = archive.Manifest;
            bool prototypes = manifest.Output.Kind == OutputKind.Embedding;

            // θ₀ is stored once (parameters.bin) and held once: one OrtValue over each pinned managed array, fed to every
            // run that does not feed an adapted value in its place.
            foreach (NamedTensor parameter in archive.Parameters)
            {
                _theta[parameter.Name] = Own(OrtValue.CreateTensorValueFromMemory(parameter.Values, parameter.Shape));
                _parameters[parameter.Name] = parameter;
            }

            // The parameters no run of a graph feeds anything but θ₀ become constants of that graph: predict's, all but the
            // adapted state (which it reads after adaptation); adapt's, all but what its steps carry (the first step reads
            // θ₀ for those too, the later ones the previous step's values).
            string[] allParameters = [.. manifest.Parameters.Select(p => p.Name)];
            string[] predictVaries = prototypes ? [] : [.. manifest.InnerLoop!.State];
            string[] adaptVaries = prototypes ? [] : [.. manifest.InnerLoop!.StepState];
            // Work in shares runs side by side, each share on one thread (RuntimeOptions.AdaptationShares, PredictionShares):
            // those graphs' sessions then have one intra-op thread. Separable steps adapt in shares; predictions that do
            // not depend on the batch predict in shares.
            PredictionShares = manifest.PredictionsDependOnBatch ? 1 : options.RequestedPredictionShares();
            // Support statistics couple the examples whatever the manifest says of the steps: such a bundle stays whole.
            int shares = manifest.InnerLoop is { SeparableSteps: true, Statistics: null } ? options.RequestedAdaptationShares() : 1;

            if (options.PredictionOnly)
            {
                StepState = StateSlice.Empty;
                InferenceSession alone = OpenShared(archive, BundleNames.PredictEntry, PredictionShares, native, options, logger, allParameters.Except(predictVaries));
                AdviseHugePages(alone, options);
                // Without adapt.onnx to say so, predict's inputs tell whether the prototypes are one row per support example.
                PerExamplePrototypes = prototypes && alone.InputMetadata.ContainsKey(BundleNames.PrototypeLabels);
                SetStateNames(manifest, prototypes);
                PreparePredict(alone, manifest, featuresNeeded: false);
                return;
            }

            // The two sessions are created side by side: ONNX Runtime optimizes each graph on one core, for tens of
            // milliseconds (conv4 MAML: 34 + 65 ms one after the other, 57–75 ms together, in a probe on 2 cores).
            Task<InferenceSession> predictSession = Task.Run(() =>
                OpenShared(archive, BundleNames.PredictEntry, PredictionShares, native, options, logger, allParameters.Except(predictVaries)));
            InferenceSession adapt;
            InferenceSession predict;
            try
            {
                adapt = OpenShared(archive, BundleNames.AdaptEntry, shares, native, options, logger, allParameters.Except(adaptVaries));
            }
            finally
            {
                // Awaited however adapt's went, so that its session is owned (and disposed with the rest on a failure);
                // its fault, if any, is the one thrown, as when predict's session was opened first.
                predict = predictSession.GetAwaiter().GetResult();
            }

            AdviseHugePages(adapt, options);

            GraphUse adaptUse = GraphChecks.Check(adapt, BundleNames.AdaptEntry, manifest, constants: Constants(adapt));
            PerExamplePrototypes = adaptUse.WritesPrototypeLabels;
            SetStateNames(manifest, prototypes);
            // What the steps carry: the whole state, or all but the statistics that statistics.onnx computes after them.
            StepState = prototypes ? StateSlice.Empty : StateSlice.Of(manifest.InnerLoop!.StepState, StateNames, StateShapes);
            string[] stepState = StepState.Names;
            _first = PrepareAdapt(adapt, adaptUse, state: []);
            if (!prototypes)
            {
                Step = PrepareAdapt(adapt, adaptUse, state: stepState);
                AdaptationShares = First.ReadsFeatures ? 1 : shares;
                if (manifest.InnerLoop!.Statistics is not null)
                {
                    // The load's one stop between sessions, as predict's and adapt's are created side by side.
                    cancellationToken.ThrowIfCancellationRequested();

                    // Small (one pass over the support) and needed by every stepped adaptation: created now, not on first use.
                    InferenceSession statistics = Open(archive, BundleNames.StatisticsEntry, native, options, logger);
                    GraphUse statisticsUse = GraphChecks.Check(statistics, BundleNames.StatisticsEntry, manifest);
                    string[] read = [.. stepState.Where(statisticsUse.Parameters.Contains)];
                    Statistics = PrepareAdapt(statistics, statisticsUse, state: read);
                    StatisticsReads = [.. read.Select(n => Array.IndexOf(stepState, n))];
                    StatisticsState = StateSlice.Of(manifest.InnerLoop.Statistics, StateNames, StateShapes);
                }

                // The unrolled graph is the largest and, on ORT's CPU provider, no faster than K one-step runs; creating
                // its session took most of the load time (0.2 s for conv4, K = 5), so it waits until it is asked for.
                RuntimeOptions later = options.Copy();
                _unrolled = new Lazy<AdaptGraph>(() => OpenUnrolled(archive, later, logger, manifest), LazyThreadSafetyMode.ExecutionAndPublication);
            }

            PreparePredict(predict, manifest, featuresNeeded: First.ReadsFeatures);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has run: every session and θ₀ value these graphs created is then disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Whether only predict.onnx was opened (<see cref="RuntimeOptions.PredictionOnly"/>): no graph can adapt.</summary>
    public bool PredictionOnly => _first is null;

    /// <summary>The adapted model's state names, in feed order: the adapted parameters, or "prototypes" (and "prototype_labels"), or the adapted parameters and the carried state.</summary>
    public string[] StateNames { get; private set; }

    /// <summary>Their shapes from the manifest (-1 for the prototypes' rows: the class count, or the support count).</summary>
    public long[][] StateShapes { get; private set; }

    /// <summary>The state that adapt.onnx carries from step to step, in its feed order (all of it, unless <see cref="Statistics"/>).</summary>
    public StateSlice StepState { get; }

    /// <summary>
    /// statistics.onnx, when the manifest lists statistics: the last step's state (<see cref="StatisticsReads"/>), the support
    /// and θ₀ for the rest → the state at <see cref="StatisticsState"/>, run once after the steps; else null.
    /// </summary>
    public AdaptGraph? Statistics { get; }

    /// <summary>Positions in <see cref="StepState"/>'s tensors of the state that <see cref="Statistics"/> takes, in its feed order; empty without it.</summary>
    public int[] StatisticsReads { get; } = [];

    /// <summary>What <see cref="Statistics"/> outputs, in its fetch order; empty without it.</summary>
    public StateSlice StatisticsState { get; } = StateSlice.Empty;

    /// <summary>
    /// How many shares of the support set the steps may run on side by side (<see cref="RuntimeOptions.AdaptationShares"/>):
    /// above 1 only for bundles that declare separable steps, whose adapt session then has one intra-op thread.
    /// </summary>
    public int AdaptationShares { get; } = 1;

    /// <summary>
    /// How many shares of the queries predict may run on side by side (<see cref="RuntimeOptions.PredictionShares"/>):
    /// above 1 only for bundles whose predictions do not depend on the batch, whose predict session then has one intra-op thread.
    /// </summary>
    public int PredictionShares { get; }

    /// <summary>True when an embedding bundle's prototypes are one row per support example, with "prototype_labels".</summary>
    public bool PerExamplePrototypes { get; }

    /// <summary>Positions in <see cref="StateNames"/> of the state that predict reads (all but the carried state), in <see cref="Predict"/>'s feed order.</summary>
    public int[] PredictState { get; private set; }

    /// <summary>Predict: "x", the state tensors of <see cref="PredictState"/>, then <see cref="PredictConstants"/> → "output" (and "score" for reconstruction bundles).</summary>
    public PreparedRun Predict { get; private set; }

    /// <summary>θ₀ of the parameters predict takes that the adapted state does not replace, in <see cref="Predict"/>'s feed order; owned here.</summary>
    public OrtValue[] PredictConstants { get; private set; }

    /// <summary>Predict's "x" as the graph declares it (a fixed batch size, rarely, included).</summary>
    public GraphValue PredictInput { get; private set; }

    /// <summary>Predict's "x", then <see cref="FeatureConstants"/> → "features", when an adapt graph reads support features; else null.</summary>
    public PreparedRun? Features { get; private set; }

    /// <summary>θ₀ of every parameter predict takes, in <see cref="Features"/>' feed order after "x"; empty without <see cref="Features"/>.</summary>
    public OrtValue[] FeatureConstants { get; private set; } = [];

    /// <summary>adapt.onnx from θ₀: the support (and labels) → the state after one step, or the prototypes.</summary>
    /// <exception cref="InvalidOperationException">The bundle was loaded with <see cref="RuntimeOptions.PredictionOnly"/>.</exception>
    public AdaptGraph First => _first ?? throw PredictionOnlyError();

    /// <summary>What adapting a model loaded with <see cref="RuntimeOptions.PredictionOnly"/> throws.</summary>
    public static InvalidOperationException PredictionOnlyError() => new(
        $"This model was loaded with RuntimeOptions.{nameof(RuntimeOptions.PredictionOnly)}: it loads adapted states and predicts, but cannot adapt. Load the bundle without that option to adapt.");

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

    // The adapted state's names and shapes: the manifest's state, or the prototypes (and their labels, one row per example).
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(StateNames), nameof(StateShapes))]
    private void SetStateNames(ModelManifest manifest, bool prototypes)
    {
        StateNames = !prototypes ? [.. manifest.InnerLoop!.State]
            : PerExamplePrototypes ? [BundleNames.Prototypes, BundleNames.PrototypeLabels] : [BundleNames.Prototypes];
        var shapes = manifest.Parameters.ToDictionary(p => p.Name, p => p.Shape.ToArray(), StringComparer.Ordinal);
        StateShapes = !prototypes ? [.. StateNames.Select(n => shapes[n])]
            : PerExamplePrototypes ? [[-1, manifest.Output.Size], [-1]] : [[-1, manifest.Output.Size]];
    }

    // Checks predict.onnx and prepares its runs (and the support features' run, when an adapt graph reads them).
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(PredictInput), nameof(PredictConstants), nameof(PredictState), nameof(Predict))]
    private void PreparePredict(InferenceSession predict, ModelManifest manifest, bool featuresNeeded)
    {
        GraphUse predictUse = GraphChecks.Check(
            predict, BundleNames.PredictEntry, manifest, featuresNeeded, prototypeLabels: PerExamplePrototypes, constants: Constants(predict));
        PredictInput = GraphChecks.Input(predict, BundleNames.X);
        PredictConstants = Theta(predict, predictUse, StateNames);

        // Carried state (a learned optimizer's, a memory's usage) serves adaptation alone; predict reads the rest.
        IReadOnlyList<string> carried = GraphExpectations.Carried(manifest);
        PredictState = [.. Enumerable.Range(0, StateNames.Length).Where(i => !carried.Contains(StateNames[i]))];
        Predict = new PreparedRun(predict, [BundleNames.X, .. PredictState.Select(i => StateNames[i]), .. Fed(predict, predictUse.Parameters.Except(StateNames))], [.. predictUse.Outputs]);
        if (featuresNeeded)
        {
            // The body's features come from θ₀ alone, so every parameter is a constant here.
            FeatureConstants = Theta(predict, predictUse, []);
            Features = new PreparedRun(predict, [BundleNames.X, .. Fed(predict, predictUse.Parameters)], [BundleNames.Features]);
        }
    }

    private AdaptGraph PrepareAdapt(InferenceSession session, GraphUse use, string[] state)
    {
        string[] labels = use.ReadsLabels ? [BundleNames.SupportY] : [];
        string[] step = use.ReadsStep ? [BundleNames.Step] : [];
        var run = new PreparedRun(session, [.. state, use.Support!, .. labels, .. step, .. Fed(session, use.Parameters.Except(state))], [.. use.Outputs]);
        return new AdaptGraph(run, GraphChecks.Input(session, use.Support!), use.ReadsLabels, use.Entry, Theta(session, use, state), use.ReadsStep);
    }

    // θ₀ for the parameters a graph takes, less those a run feeds from the adapted state and those written into the graph, in the graph's parameter order.
    private OrtValue[] Theta(InferenceSession session, GraphUse use, string[] state) => [.. Fed(session, use.Parameters.Except(state)).Select(name => _theta[name])];

    // The names a run of the session still feeds: all but the parameters written into its graph.
    private IEnumerable<string> Fed(InferenceSession session, IEnumerable<string> names) =>
        _constant.TryGetValue(session, out IReadOnlySet<string>? constant) ? names.Where(n => !constant.Contains(n)) : names;

    // The parameter inputs written into the session's graph, as the inputs the contract checks them as.
    private TensorSignature[] Constants(InferenceSession session) =>
        [.. _constant[session].Select(name => new TensorSignature(name, GraphElementType.Float, [.. _parameters[name].Shape.Select(d => (long?)d)]))];
}

