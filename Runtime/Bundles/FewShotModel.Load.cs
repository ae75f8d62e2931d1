using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using FewShot.Bundles;

namespace FewShot.Runtime.Bundles;

// Loading a bundle: Load and LoadAsync, the options they check, and the warm-up that ends a load. LoadAsync runs the load
// on the thread pool: reading a bundle is mostly hashing and opening ONNX Runtime sessions, which is CPU work that no
// asynchronous I/O would shorten.
public sealed partial class FewShotModel
{
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

    /// <summary>
    /// Runs <see cref="Load(string, RuntimeOptions?, ILogger?)"/> on the thread pool. <paramref name="cancellationToken"/> stops
    /// it before it starts (<see cref="OperationCanceledException"/>); a load under way runs to its end.
    /// </summary>
    /// <param name="path">The .fewshot file.</param>
    /// <param name="options">Device, threads, limits; null for the defaults.</param>
    /// <param name="logger">Receives warnings (a CPU fallback, an unusable graph cache); null for none.</param>
    /// <param name="cancellationToken">Cancels the load before it starts.</param>
    /// <returns>The model, owned by the caller.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the load started.</exception>
    /// <exception cref="InvalidBundleException">The file is not a valid bundle (as <see cref="Load(string, RuntimeOptions?, ILogger?)"/>).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ExecutionDeviceException">The device cannot be used and <see cref="RuntimeOptions.FallbackToCpu"/> is off.</exception>
    /// <exception cref="ArgumentException">A path, an option or the signing key is invalid (as <see cref="Load(string, RuntimeOptions?, ILogger?)"/>).</exception>
    public static Task<FewShotModel> LoadAsync(string path, RuntimeOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Load(path, options, logger), cancellationToken);

    /// <summary>
    /// <see cref="LoadAsync(string, RuntimeOptions?, ILogger?, CancellationToken)"/> without a logger: the form of before the
    /// logger was added, kept so that calls passing the token third still compile.
    /// </summary>
    /// <param name="path">The .fewshot file.</param>
    /// <param name="options">Device, threads, limits; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the load before it starts.</param>
    /// <returns>The model, owned by the caller.</returns>
    public static Task<FewShotModel> LoadAsync(string path, RuntimeOptions? options, CancellationToken cancellationToken) =>
        LoadAsync(path, options, logger: null, cancellationToken);

    /// <summary>
    /// Runs <see cref="Load(Stream, RuntimeOptions?, ILogger?)"/> on the thread pool: the bundle is read from the stream's
    /// position, and the stream is not disposed (keep it open until the task ends). <paramref name="cancellationToken"/>
    /// stops it before it starts; a load under way runs to its end.
    /// </summary>
    /// <param name="bundle">The bundle's bytes.</param>
    /// <param name="options">Device, threads, limits; null for the defaults.</param>
    /// <param name="logger">Receives warnings (a CPU fallback, an unusable graph cache); null for none.</param>
    /// <param name="cancellationToken">Cancels the load before it starts.</param>
    /// <returns>The model, owned by the caller.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the load started.</exception>
    /// <exception cref="InvalidBundleException">The stream does not hold a valid bundle (as <see cref="Load(Stream, RuntimeOptions?, ILogger?)"/>).</exception>
    /// <exception cref="ExecutionDeviceException">The device cannot be used and <see cref="RuntimeOptions.FallbackToCpu"/> is off.</exception>
    /// <exception cref="ArgumentException">An option or the signing key is invalid.</exception>
    public static Task<FewShotModel> LoadAsync(Stream bundle, RuntimeOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return Task.Run(() => Load(bundle, options, logger), cancellationToken);
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
                _ => AdaptLabelled(zeros.AsMemory(0, count * ExampleSize), Enumerable.Range(0, count).Select(i => (i % classes).ToString(CultureInfo.InvariantCulture)).ToArray(), twoSteps, CancellationToken.None),
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
}
