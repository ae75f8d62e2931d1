using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using FewShot.Bundles;
using FewShot.Runtime.Sessions;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// A meta-trained bundle loaded into ONNX Runtime: adapts to new tasks from a few examples
/// (<see cref="Adapt(ReadOnlyMemory{float}, IReadOnlyList{string}, AdaptOptions?)"/>) and reads adapted states back
/// (<see cref="LoadAdapted(Stream)"/>).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: one model serves any number of concurrent adaptations and predictions; its graphs are shared and every
/// adapted model is immutable. Adaptation and prediction allocate per call, never per inner-loop step.
/// </para>
/// <para>
/// Support and query inputs are flat float buffers, row-major [n, …<see cref="ModelManifest.Input"/> shape], normalized
/// as the manifest says. Labels are the caller's own strings (or ints); classes are numbered in order of first
/// appearance in the support set unless <see cref="AdaptOptions.Labels"/> fixes the order.
/// </para>
/// <para>Dispose releases the graphs once runs in progress finish; later calls throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed partial class FewShotModel : IDisposable
{
    private readonly BundleGraphs _graphs;
    private readonly Adapter _adapter;
    private readonly Predictor _predictor;

    /// <summary>The loaded graphs, for tests of what each run feeds.</summary>
    internal BundleGraphs Graphs => _graphs;
    private readonly long _maxEntryBytes;
    private readonly RunGate _gate;
    private readonly int _maxSteps;
    private readonly TimeSpan? _timeout;
    private Preprocessor? _preprocessor;

    private FewShotModel(BundleArchive archive, RuntimeOptions options, ILogger logger)
    {
        Manifest = archive.Manifest;
        HashBytes = Digests.Sha256(archive.ManifestBytes);
        Hash = Convert.ToHexStringLower(HashBytes);
        ExampleSize = (int)Manifest.Input.Shape.Aggregate(1L, (p, d) => p * d);
        _maxEntryBytes = options.MaxEntryBytes;
        _maxSteps = options.MaxAdaptationSteps;
        SigningKey = options.StateSigningKey is { } key ? [.. key] : null;
        _timeout = options.AdaptationTimeout;
        if (Manifest.InnerLoop is { } loop && loop.Steps > _maxSteps)
        {
            throw new InvalidBundleException(BundleNames.ManifestEntry,
                $"The manifest's innerLoop.steps is {loop.Steps}, more than RuntimeOptions.MaxAdaptationSteps ({_maxSteps}); a default adaptation would run that many steps. Raise MaxAdaptationSteps if the bundle is trusted.");
        }

        _graphs = new BundleGraphs(archive, options.Copy(), logger);
        _gate = new RunGate(_graphs.Dispose);
        _adapter = new Adapter(_graphs, Manifest, options.ReleaseMemoryAfterCall);
        _predictor = new Predictor(_graphs, Manifest, ExampleSize, options.MaxPredictionBatch, options.ReleaseMemoryAfterCall);
        try
        {
            if (options.WarmUp && !_graphs.PredictionOnly)
            {
                WarmUp();
            }
        }
        catch
        {
            _gate.Close();
            throw;
        }
    }

    /// <summary>The bundle's manifest: algorithm, input, output kind, classes, inner loop, provenance.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The model hash: SHA-256 of manifest.json (which records every graph's hash), lowercase hex.</summary>
    public string Hash { get; }

    /// <summary>What predictions are: class logits, prototype distances, reconstructions or regression values.</summary>
    public OutputKind Kind => Manifest.Output.Kind;

    /// <summary>Floats per input example: the product of the manifest's input shape.</summary>
    public int ExampleSize { get; }

    internal byte[] HashBytes { get; }

    internal string[] StateNames => _graphs.StateNames;

    /// <summary>A copy of <see cref="RuntimeOptions.StateSigningKey"/> taken at load, or null.</summary>
    internal byte[]? SigningKey { get; }

    /// <summary>
    /// Turns an image into one input example as the manifest's <see cref="ManifestInput.Preprocessing"/> says (see <see cref="Preprocessor"/>).
    /// By default (<see cref="StrokeTone.Auto"/>) each drawing shows whether its strokes are dark or bright
    /// (<see cref="StrokeDetection"/>); pass <see cref="StrokeTone.Dark"/> or <see cref="StrokeTone.Bright"/> when the source says.
    /// </summary>
    /// <returns>A fresh array of <see cref="ExampleSize"/> floats, owned by the caller.</returns>
    /// <exception cref="NotSupportedException">The bundle does not describe its preprocessing.</exception>
    /// <exception cref="ArgumentException">The pixels do not match the size and format given.</exception>
    public float[] Preprocess(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, StrokeTone strokes = StrokeTone.Auto) =>
        (_preprocessor ??= new Preprocessor(Manifest.Input)).Preprocess(pixels, width, height, format, strokes);

    /// <summary>Loads a bundle file.</summary>
    /// <param name="path">The .fewshot file.</param>
    /// <param name="options">Device, threads, limits; null for the defaults.</param>
    /// <returns>The model, owned by the caller.</returns>
    /// <exception cref="InvalidBundleException">
    /// The file is not a valid bundle; the message names the entry and the problem. Every entry's hash is checked here,
    /// and, with <see cref="RuntimeOptions.WarmUp"/>, that the graphs run; adapt_k.onnx's graph is opened and checked on
    /// its first use (<see cref="AdaptOptions.Unrolled"/>).
    /// </exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ExecutionDeviceException">
    /// The device cannot be used (e.g. CUDA asked for, but the CUDA 13 or cuDNN 9 libraries are missing); the message
    /// names what is missing. With <see cref="RuntimeOptions.FallbackToCpu"/> the model loads on the CPU instead.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="RuntimeOptions.StateSigningKey"/> is too short, <see cref="RuntimeOptions.GraphCacheDirectory"/> is not a folder path, or the bundle's path is a folder.</exception>
    /// <param name="logger">Receives warnings (a CPU fallback, an unusable graph cache); null for none.</param>
    public static FewShotModel Load(string path, RuntimeOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireFile(path, "a bundle file (.fewshot)");
        using FileStream stream = File.OpenRead(path);
        return Load(stream, options, logger);
    }

    /// <summary>Loads a bundle from a stream (read from its position; not disposed).</summary>
    /// <inheritdoc cref="Load(string, RuntimeOptions?, ILogger?)"/>
    public static FewShotModel Load(Stream bundle, RuntimeOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new RuntimeOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEntryBytes, nameof(options.MaxEntryBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxAdaptationSteps, nameof(options.MaxAdaptationSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxPredictionBatch, nameof(options.MaxPredictionBatch));

        // Checked here for every bundle, not only where the bundle and device let shares run.
        ArgumentOutOfRangeException.ThrowIfNegative(options.AdaptationShares, nameof(options.AdaptationShares));
        ArgumentOutOfRangeException.ThrowIfNegative(options.PredictionShares, nameof(options.PredictionShares));
        if (options.StateSigningKey is { Length: < RuntimeOptions.MinStateSigningKeyBytes } shortKey)
        {
            throw new ArgumentException($"RuntimeOptions.StateSigningKey has {shortKey.Length} bytes; an HMAC-SHA256 key needs at least {RuntimeOptions.MinStateSigningKeyBytes} random bytes.", nameof(options));
        }

        if (options.GraphCacheDirectory is { } cache && (string.IsNullOrWhiteSpace(cache) || cache.Contains('\0')))
        {
            throw new ArgumentException($"RuntimeOptions.GraphCacheDirectory is '{cache.Replace("\0", "\\0")}', which is not a folder path; set a folder, or null for no cache.", nameof(options));
        }

        if (options.AdaptationTimeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(options.AdaptationTimeout));
        }

        OnnxRuntimeEnvironment.StartCreating();

        // Three graphs, θ₀ and a manifest at most, and compressed entries are about their size or smaller.
        Stream seekable = bundle.CanSeek ? bundle
            : new MemoryStream(BoundedRead.All(bundle, (4 * options.MaxEntryBytes) + (4L << 20), "bundle", message => new InvalidBundleException(null, message)));
        if (seekable.Length - seekable.Position == 0)
        {
            throw new InvalidBundleException(null, "the bundle is empty (0 bytes): no file was written there, or it was cut off");
        }

        return new FewShotModel(BundleArchive.Read(seekable, options.MaxEntryBytes), options, logger ?? NullLogger.Instance);
    }

    /// <summary>Adapts to a labelled support set (logits and embedding bundles).</summary>
    /// <param name="supportInputs">Support examples, row-major [n, …input shape]; read during the call, not kept.</param>
    /// <param name="supportLabels">n labels, the caller's own; classes are numbered in order of first appearance.</param>
    /// <param name="options">Steps and label order; null for the defaults (K steps).</param>
    /// <returns>The adapted model, immutable.</returns>
    /// <exception cref="ArgumentException">
    /// The support set is empty, not whole examples, not finite, or its label count differs from its example count; a
    /// label is null; a class has no example; the class count is outside the bundle's range.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="AdaptOptions.Steps"/> is below 1 or above <see cref="RuntimeOptions.MaxAdaptationSteps"/> (for a bundle with an inner loop; one without ignores it).</exception>
    /// <exception cref="TimeoutException">Adaptation ran longer than <see cref="RuntimeOptions.AdaptationTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The bundle is not a classifier, or the model was loaded with <see cref="RuntimeOptions.PredictionOnly"/>.</exception>
    /// <exception cref="NonFiniteResultException">Adaptation diverged (NaN or infinity); the message names the step.</exception>
    /// <exception cref="GraphRunException">A graph fails while running; the message names the graph and the step, ONNX Runtime's exception is inside.</exception>
    /// <exception cref="InvalidBundleException">With <see cref="AdaptOptions.Unrolled"/>: adapt_k.onnx, opened on first use, is broken.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public AdaptedModel Adapt(ReadOnlyMemory<float> supportInputs, IReadOnlyList<string> supportLabels, AdaptOptions? options = null) =>
        AdaptLabelled(supportInputs, supportLabels, options, CancellationToken.None);

    /// <summary>Adapts to a labelled support set; <c>cancellationToken</c> stops it between steps and between graph nodes (<see cref="OperationCanceledException"/>).</summary>
    /// <inheritdoc cref="Adapt(ReadOnlyMemory{float}, IReadOnlyList{string}, AdaptOptions?)"/>
    public AdaptedModel Adapt(ReadOnlyMemory<float> supportInputs, IReadOnlyList<string> supportLabels, AdaptOptions? options, CancellationToken cancellationToken) =>
        AdaptLabelled(supportInputs, supportLabels, options, cancellationToken);

    /// <summary>Adapts to a support set labelled with integers, used as labels in their invariant-culture text form.</summary>
    /// <inheritdoc cref="Adapt(ReadOnlyMemory{float}, IReadOnlyList{string}, AdaptOptions?)"/>
    public AdaptedModel Adapt(ReadOnlyMemory<float> supportInputs, IReadOnlyList<int> supportLabels, AdaptOptions? options = null) =>
        AdaptLabelled(supportInputs, AsText(supportLabels), options, CancellationToken.None);

    /// <summary>Adapts to a support set labelled with integers; <c>cancellationToken</c> stops it between steps and between graph nodes (<see cref="OperationCanceledException"/>).</summary>
    /// <inheritdoc cref="Adapt(ReadOnlyMemory{float}, IReadOnlyList{int}, AdaptOptions?)"/>
    public AdaptedModel Adapt(ReadOnlyMemory<float> supportInputs, IReadOnlyList<int> supportLabels, AdaptOptions? options, CancellationToken cancellationToken) =>
        AdaptLabelled(supportInputs, AsText(supportLabels), options, cancellationToken);

    /// <summary>Adapts to a support set with real-valued targets (regression bundles).</summary>
    /// <param name="supportInputs">Support examples, row-major [n, …input shape]; read during the call, not kept.</param>
    /// <param name="supportTargets">Targets, row-major [n, output size]; read during the call, not kept.</param>
    /// <param name="options">Steps; null for K.</param>
    /// <exception cref="ArgumentException">The inputs or targets are empty, of mismatched counts, or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="AdaptOptions.Steps"/> is below 1 or above <see cref="RuntimeOptions.MaxAdaptationSteps"/> (for a bundle with an inner loop; one without ignores it).</exception>
    /// <exception cref="TimeoutException">Adaptation ran longer than <see cref="RuntimeOptions.AdaptationTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The bundle is not a regression model, adaptation diverged, or the model was loaded with <see cref="RuntimeOptions.PredictionOnly"/>.</exception>
    /// <exception cref="GraphRunException">A graph fails while running; the message names the graph and the step, ONNX Runtime's exception is inside.</exception>
    /// <exception cref="InvalidBundleException">With <see cref="AdaptOptions.Unrolled"/>: adapt_k.onnx, opened on first use, is broken.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public AdaptedModel AdaptRegression(ReadOnlyMemory<float> supportInputs, ReadOnlyMemory<float> supportTargets, AdaptOptions? options = null) =>
        AdaptToTargets(supportInputs, supportTargets, options, CancellationToken.None);

    /// <summary>Adapts to a support set with real-valued targets; <c>cancellationToken</c> stops it between steps and between graph nodes (<see cref="OperationCanceledException"/>).</summary>
    /// <inheritdoc cref="AdaptRegression(ReadOnlyMemory{float}, ReadOnlyMemory{float}, AdaptOptions?)"/>
    public AdaptedModel AdaptRegression(ReadOnlyMemory<float> supportInputs, ReadOnlyMemory<float> supportTargets, AdaptOptions? options, CancellationToken cancellationToken) =>
        AdaptToTargets(supportInputs, supportTargets, options, cancellationToken);

    /// <summary>Adapts to an unlabelled support set of normal examples (reconstruction bundles: the anomaly detector).</summary>
    /// <param name="supportInputs">Support examples, row-major [n, …input shape]; read during the call, not kept.</param>
    /// <param name="options">Steps; null for K.</param>
    /// <exception cref="ArgumentException">The inputs are empty, not whole examples, or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="AdaptOptions.Steps"/> is below 1 or above <see cref="RuntimeOptions.MaxAdaptationSteps"/> (for a bundle with an inner loop; one without ignores it).</exception>
    /// <exception cref="TimeoutException">Adaptation ran longer than <see cref="RuntimeOptions.AdaptationTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The bundle is not a reconstruction model, adaptation diverged, or the model was loaded with <see cref="RuntimeOptions.PredictionOnly"/>.</exception>
    /// <exception cref="GraphRunException">A graph fails while running; the message names the graph and the step, ONNX Runtime's exception is inside.</exception>
    /// <exception cref="InvalidBundleException">With <see cref="AdaptOptions.Unrolled"/>: adapt_k.onnx, opened on first use, is broken.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public AdaptedModel AdaptUnlabeled(ReadOnlyMemory<float> supportInputs, AdaptOptions? options = null) =>
        AdaptWithoutLabels(supportInputs, options, CancellationToken.None);

    /// <summary>Adapts to an unlabelled support set; <c>cancellationToken</c> stops it between steps and between graph nodes (<see cref="OperationCanceledException"/>).</summary>
    /// <inheritdoc cref="AdaptUnlabeled(ReadOnlyMemory{float}, AdaptOptions?)"/>
    public AdaptedModel AdaptUnlabeled(ReadOnlyMemory<float> supportInputs, AdaptOptions? options, CancellationToken cancellationToken) =>
        AdaptWithoutLabels(supportInputs, options, cancellationToken);

    /// <summary>Runs <see cref="Adapt(ReadOnlyMemory{float}, IReadOnlyList{string}, AdaptOptions?)"/> on the thread pool; cancellation stops between steps and between nodes.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<AdaptedModel> AdaptAsync(ReadOnlyMemory<float> supportInputs, IReadOnlyList<string> supportLabels, AdaptOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => AdaptLabelled(supportInputs, supportLabels, options, cancellationToken), cancellationToken);

    /// <summary>Runs <see cref="Adapt(ReadOnlyMemory{float}, IReadOnlyList{int}, AdaptOptions?)"/> on the thread pool.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<AdaptedModel> AdaptAsync(ReadOnlyMemory<float> supportInputs, IReadOnlyList<int> supportLabels, AdaptOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => AdaptLabelled(supportInputs, AsText(supportLabels), options, cancellationToken), cancellationToken);

    /// <summary>Runs <see cref="AdaptRegression(ReadOnlyMemory{float}, ReadOnlyMemory{float}, AdaptOptions?)"/> on the thread pool.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<AdaptedModel> AdaptRegressionAsync(ReadOnlyMemory<float> supportInputs, ReadOnlyMemory<float> supportTargets, AdaptOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => AdaptToTargets(supportInputs, supportTargets, options, cancellationToken), cancellationToken);

    /// <summary>Runs <see cref="AdaptUnlabeled(ReadOnlyMemory{float}, AdaptOptions?)"/> on the thread pool.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<AdaptedModel> AdaptUnlabeledAsync(ReadOnlyMemory<float> supportInputs, AdaptOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => AdaptWithoutLabels(supportInputs, options, cancellationToken), cancellationToken);

    /// <summary>Reads an adapted state that <see cref="AdaptedModel.Save(Stream)"/> wrote for this model (read from the stream's position; not disposed).</summary>
    /// <returns>The adapted model, equal to the one saved.</returns>
    /// <exception cref="InvalidAdaptedStateException">
    /// Wrong magic or version, corrupted or truncated, made for another base model, or tensors, shapes or labels this model does not expect.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public AdaptedModel LoadAdapted(Stream stream) => LoadAdapted(stream, string.Empty);

    /// <summary>
    /// Reads an adapted state signed with this model's <see cref="RuntimeOptions.StateSigningKey"/> and bound to
    /// <paramref name="ownerId"/> (<see cref="AdaptedModel.Save(Stream, string)"/>); read from the stream's position, not disposed.
    /// </summary>
    /// <param name="stream">The state.</param>
    /// <param name="ownerId">Who must own the state.</param>
    /// <returns>The adapted model, equal to the one saved.</returns>
    /// <exception cref="InvalidAdaptedStateException">
    /// Anything <see cref="LoadAdapted(Stream)"/> refuses; and, with a signing key: an unsigned state, a signature that
    /// does not match (an edit, or another key), or another owner. Without a key: a signed state.
    /// </exception>
    /// <exception cref="InvalidOperationException">An owner id was given but the model has no signing key.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public AdaptedModel LoadAdapted(Stream stream, string ownerId)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(ownerId);
        ObjectDisposedException.ThrowIf(_gate.IsClosed, this);

        // As AdaptedModel.Save refuses to bind an owner without a key: without one, no owner could be checked, and a
        // server that forgot its key would hand every user any state.
        if (SigningKey is null && ownerId.Length > 0)
        {
            throw new InvalidOperationException("An owner id asks for a signed state bound to that owner, and this model has no RuntimeOptions.StateSigningKey to check one; set the key, or load without an owner.");
        }

        byte[] data = BoundedRead.All(stream, _maxEntryBytes, "adapted state", message => new InvalidAdaptedStateException(message));
        (string[] labels, AdaptedTensor[] tensors) = AdaptedStateFile.Read(data, this, SigningKey, ownerId);
        return new AdaptedModel(this, labels, tensors);
    }

    /// <summary>Reads an adapted state file.</summary>
    /// <inheritdoc cref="LoadAdapted(Stream)"/>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is a folder.</exception>
    public AdaptedModel LoadAdapted(string path) => LoadAdapted(path, string.Empty);

    /// <summary>Reads a signed adapted state file bound to <paramref name="ownerId"/>.</summary>
    /// <inheritdoc cref="LoadAdapted(Stream, string)"/>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public AdaptedModel LoadAdapted(string path, string ownerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireFile(path, "an adapted state file");
        using FileStream stream = File.OpenRead(path);
        return LoadAdapted(stream, ownerId);
    }

    // A folder given for a file: .NET's own error would say "Access to the path is denied".
    private static void RequireFile(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"'{path}' is a folder; give {what}.", nameof(path));
        }
    }

    /// <summary>Releases the graphs once runs in progress finish; later calls throw <see cref="ObjectDisposedException"/>. Idempotent; never throws.</summary>
    public void Dispose() => _gate.Close();

    /// <summary>For example "maml conv4 (logits, 1a2b3c4d5e6f)".</summary>
    public override string ToString() => $"{Manifest.Algorithm} {Manifest.Model} ({Kind.ToString().ToLowerInvariant()}, {Hash[..12]})";

    internal Predictor.Result RunPredict(AdaptedModel adapted, ReadOnlyMemory<float> queries, CancellationToken cancellationToken)
    {
        Enter();
        try
        {
            return _predictor.Run(adapted, queries, cancellationToken);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>True when the prototypes are one row per support example, with "prototype_labels" (Siamese networks).</summary>
    internal bool PerExamplePrototypes => _graphs.PerExamplePrototypes;

    /// <summary>
    /// The shape state tensor <paramref name="slot"/> must have in an adaptation of <paramref name="classes"/> classes,
    /// given the shape <paramref name="stored"/> found: per-example prototypes (and their labels) have one row per
    /// support example, at least one per class, so the stored row count is taken when it is at least the class count.
    /// </summary>
    internal long[] StateShape(int slot, int classes, long[] stored)
    {
        long[] shape = _graphs.StateShapes[slot];
        if (Kind != OutputKind.Embedding)
        {
            return shape;
        }

        long rows = PerExamplePrototypes && stored.Length == shape.Length && stored[0] >= classes ? stored[0] : classes;
        return [rows, .. shape[1..]];
    }

    private AdaptedModel AdaptLabelled(ReadOnlyMemory<float> inputs, IReadOnlyList<string> labels, AdaptOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        RequireAdaptation();
        RequireKind("Adapt (class labels)", OutputKind.Logits, OutputKind.Embedding);
        int count = InputChecks.CountExamples(inputs.Span, Manifest.Input.Shape, ExampleSize, Manifest.Input.Preprocessing, "support inputs", "supportInputs");
        if (labels.Count != count)
        {
            throw new ArgumentException($"The support inputs hold {count} example{(count == 1 ? "" : "s")} but {labels.Count} label{(labels.Count == 1 ? " was" : "s were")} given.", "supportLabels");
        }

        SupportLabels support = SupportLabels.Create(labels, options?.Labels, Manifest.Classes!);
        SupportSet set = SupportSet.Labelled(inputs, count, [.. Manifest.Input.Shape], support.Indices);
        return new AdaptedModel(this, support.Classes, RunAdapter(set, support.Classes.Length, options, cancellationToken));
    }

    private AdaptedModel AdaptToTargets(ReadOnlyMemory<float> inputs, ReadOnlyMemory<float> targets, AdaptOptions? options, CancellationToken cancellationToken)
    {
        RequireAdaptation();
        RequireKind("AdaptRegression (targets)", OutputKind.Regression);
        int count = InputChecks.CountExamples(inputs.Span, Manifest.Input.Shape, ExampleSize, Manifest.Input.Preprocessing, "support inputs", "supportInputs");
        int size = Manifest.Output.Size;
        if (targets.Length != (long)count * size)
        {
            throw new ArgumentException($"The support inputs hold {count} examples, so {count * (long)size} targets ({size} each) are needed, but {targets.Length} were given.", "supportTargets");
        }

        InputChecks.RequireFinite(targets.Span, size, "support targets", "supportTargets");
        return new AdaptedModel(this, [], RunAdapter(SupportSet.WithTargets(inputs, count, [.. Manifest.Input.Shape], targets, size), 0, options, cancellationToken));
    }

    private AdaptedModel AdaptWithoutLabels(ReadOnlyMemory<float> inputs, AdaptOptions? options, CancellationToken cancellationToken)
    {
        RequireAdaptation();
        RequireKind("AdaptUnlabeled", OutputKind.Reconstruction);
        int count = InputChecks.CountExamples(inputs.Span, Manifest.Input.Shape, ExampleSize, Manifest.Input.Preprocessing, "support inputs", "supportInputs");
        return new AdaptedModel(this, [], RunAdapter(SupportSet.Unlabelled(inputs, count, [.. Manifest.Input.Shape]), 0, options, cancellationToken));
    }

    private AdaptedTensor[] RunAdapter(SupportSet support, int classes, AdaptOptions? options, CancellationToken cancellationToken)
    {
        int steps = Steps(options);
        using CancellationTokenSource? deadline = _timeout is { } timeout ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        deadline?.CancelAfter(_timeout!.Value);
        Enter();
        try
        {
            return _adapter.Run(support, classes, steps, options?.Unrolled ?? false, deadline?.Token ?? cancellationToken);
        }
        catch (OperationCanceledException e) when (deadline is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Adaptation ran longer than RuntimeOptions.AdaptationTimeout ({_timeout!.Value.TotalSeconds:0.###} s) and was stopped; use fewer steps or a longer timeout.", e);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// One throwaway adaptation (two steps, so both of adapt's runs are made) and prediction on zeros, in the shape of the
    /// bundle's own episodes: ONNX Runtime's first run of a session plans its memory and faults in its arena, and .NET
    /// compiles the run paths, which made an app's first adaptation after Load 1.3 to 1.9 times a warm one
    /// (<see cref="RuntimeOptions.WarmUp"/>).
    /// </summary>
    private void WarmUp()
    {
        ManifestMetrics? episodes = Manifest.Provenance.Metrics;
        int classes = Manifest.Classes is { } range ? Math.Max(range.Min, Math.Min(range.Max ?? int.MaxValue, episodes?.Ways ?? range.Max ?? range.Min)) : 1;
        // Without recorded episodes, the field's usual 5 shots and (for prediction) 15 queries per class: ONNX Runtime
        // plans memory per shape, so a warm-up of another size leaves part of the first run's costs in place.
        int count = classes * Math.Max(1, episodes?.Shots ?? 5);
        var zeros = new float[classes * Math.Max(count / classes, 15) * ExampleSize];
        AdaptOptions twoSteps = new() { Steps = Manifest.InnerLoop is null ? null : Math.Min(2, _maxSteps) };
        try
        {
            AdaptedModel adapted = Kind switch
            {
                OutputKind.Regression => AdaptToTargets(zeros.AsMemory(0, count * ExampleSize), new float[count * Manifest.Output.Size], twoSteps, CancellationToken.None),
                OutputKind.Reconstruction => AdaptWithoutLabels(zeros.AsMemory(0, count * ExampleSize), twoSteps, CancellationToken.None),
                _ => AdaptLabelled(zeros.AsMemory(0, count * ExampleSize), Enumerable.Range(0, count).Select(i => (i % classes).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), twoSteps, CancellationToken.None),
            };
            RunPredict(adapted, zeros, CancellationToken.None);
        }
        catch (Exception e) when (e is ArgumentException or NonFiniteResultException)
        {
            // Made-up episodes may not fit a bundle whose graphs fix the batch size, or may diverge; the caller's own
            // adaptation reports such problems with its own inputs, and the runs made so far are warm all the same.
        }
        catch (GraphRunException e)
        {
            // A graph that keeps the contract but fails on inputs of the manifest's shapes (a corrupted shape constant,
            // say) is broken for every caller: refused here, by name, and not at the first adaptation.
            throw new InvalidBundleException(e.Graph, $"{e.Graph} fails when run on a support set of the manifest's shapes (Load's warm-up): {e.Message}", e);
        }
    }

    private void Enter()
    {
        if (!_gate.TryEnter())
        {
            throw new ObjectDisposedException(nameof(FewShotModel));
        }
    }

    private int Steps(AdaptOptions? options)
    {
        if (Manifest.InnerLoop is null)
        {
            return 0;
        }

        int steps = options?.Steps ?? Manifest.InnerLoop.Steps;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1, "options.Steps");
        if (steps > _maxSteps)
        {
            throw new ArgumentOutOfRangeException("options.Steps", steps, $"At most RuntimeOptions.MaxAdaptationSteps ({_maxSteps}) steps may run in one adaptation; {steps} were asked for.");
        }

        if (options is { Unrolled: true } && steps != Manifest.InnerLoop.Steps)
        {
            throw new ArgumentException(
                $"options.Unrolled runs the bundle's K-step graph, which takes exactly K = {Manifest.InnerLoop.Steps} steps, but options.Steps is {steps}; leave Steps null or set Unrolled to false",
                nameof(options));
        }

        return steps;
    }

    private void RequireAdaptation()
    {
        if (_graphs.PredictionOnly)
        {
            throw BundleGraphs.PredictionOnlyError();
        }
    }

    private void RequireKind(string method, params OutputKind[] kinds)
    {
        ObjectDisposedException.ThrowIf(_gate.IsClosed, this);
        if (!kinds.Contains(Kind))
        {
            string use = Kind switch
            {
                OutputKind.Regression => "AdaptRegression (support targets)",
                OutputKind.Reconstruction => "AdaptUnlabeled (no labels)",
                _ => "Adapt (class labels)",
            };
            throw new InvalidOperationException($"{method} does not apply to this bundle, whose output kind is {Kind.ToString().ToLowerInvariant()}: use {use}.");
        }
    }

    private static string[] AsText(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return [.. labels.Select(l => l.ToString(CultureInfo.InvariantCulture))];
    }
}
