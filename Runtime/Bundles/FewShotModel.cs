using Microsoft.Extensions.Logging;
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

    // cancellationToken and sessionCreated: see Load(Stream, RuntimeOptions?, ILogger?, CancellationToken, Action?).
    private FewShotModel(BundleArchive archive, RuntimeOptions options, ILogger logger, CancellationToken cancellationToken, Action<BundleGraphs, string>? sessionCreated)
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

        _graphs = new BundleGraphs(archive, options.Copy(), logger, cancellationToken, sessionCreated);
        _gate = new RunGate(_graphs.Dispose);
        _adapter = new Adapter(_graphs, Manifest, options.ReleaseMemoryAfterCall);
        _predictor = new Predictor(_graphs, Manifest, ExampleSize, options.MaxPredictionBatch, options.ReleaseMemoryAfterCall);
        try
        {
            // The last session's creation could not be interrupted: a cancellation during it is seen here.
            cancellationToken.ThrowIfCancellationRequested();
            if (options.WarmUp && !_graphs.PredictionOnly)
            {
                WarmUp(cancellationToken);
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

    private void Enter()
    {
        if (!_gate.TryEnter())
        {
            throw new ObjectDisposedException(nameof(FewShotModel));
        }
    }
}
