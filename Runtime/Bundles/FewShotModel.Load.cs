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
    public static FewShotModel Load(string path, RuntimeOptions? options = null, ILogger? logger = null) =>
        Load(path, options, logger, CancellationToken.None);

    /// <summary>Loads a bundle from a stream (read from its position; not disposed).</summary>
    /// <inheritdoc cref="Load(string, RuntimeOptions?, ILogger?)"/>
    public static FewShotModel Load(Stream bundle, RuntimeOptions? options = null, ILogger? logger = null) =>
        Load(bundle, options, logger, CancellationToken.None);

    /// <summary>Loads a bundle file, observing <paramref name="cancellationToken"/> as <see cref="LoadAsync(string, RuntimeOptions?, ILogger?, CancellationToken)"/> says.</summary>
    internal static FewShotModel Load(string path, RuntimeOptions? options, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireFile(path, "a bundle file (.fewshot)");
        using FileStream stream = File.OpenRead(path);
        return Load(stream, options, logger, cancellationToken);
    }

    /// <summary>
    /// Loads a bundle from a stream, observing <paramref name="cancellationToken"/> as <see cref="LoadAsync(string, RuntimeOptions?, ILogger?, CancellationToken)"/>
    /// says. <paramref name="sessionCreated"/>, for tests, is called with the graphs being loaded and an entry's name after
    /// each ONNX Runtime session they create.
    /// </summary>
    internal static FewShotModel Load(
        Stream bundle, RuntimeOptions? options, ILogger? logger, CancellationToken cancellationToken, Action<BundleGraphs, string>? sessionCreated = null)
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
            throw new ArgumentException($"RuntimeOptions.StateSigningKey has {Counted.Of(shortKey.Length, "byte", "bytes")}; an HMAC-SHA256 key needs at least {RuntimeOptions.MinStateSigningKeyBytes} random bytes.", nameof(options));
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

        BundleArchive archive = BundleArchive.Read(seekable, options.MaxEntryBytes);
        // The read is not interrupted (it is managed work on bytes, hashing each entry); nothing native exists yet.
        cancellationToken.ThrowIfCancellationRequested();
        return new FewShotModel(archive, options, logger ?? NullLogger.Instance, cancellationToken, sessionCreated);
    }

    /// <summary>
    /// Runs <see cref="Load(string, RuntimeOptions?, ILogger?)"/> on the thread pool. <paramref name="cancellationToken"/> stops
    /// it before it starts and at the points between the load's stages that the remarks list (<see cref="OperationCanceledException"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The token is observed: before the load starts; after the bundle has been read and every entry's hash checked, before
    /// ONNX Runtime creates anything; before statistics.onnx's session, for a bundle that has one (predict.onnx's and
    /// adapt.onnx's sessions are created side by side, so no point lies between them); once every session has been created;
    /// and during the warm-up (<see cref="RuntimeOptions.WarmUp"/>), between its steps and between graph nodes, as in
    /// <see cref="Adapt(ReadOnlyMemory{float}, IReadOnlyList{string}, AdaptOptions?, CancellationToken)"/>.
    /// </para>
    /// <para>
    /// Reading the bundle and creating a session are not interrupted: a cancellation during either is seen at the next
    /// point. A load that stops disposes every session and tensor it has created before it throws.
    /// </para>
    /// </remarks>
    /// <param name="path">The .fewshot file.</param>
    /// <param name="options">Device, threads, limits; null for the defaults.</param>
    /// <param name="logger">Receives warnings (a CPU fallback, an unusable graph cache); null for none.</param>
    /// <param name="cancellationToken">Stops the load at the points the remarks list.</param>
    /// <returns>The model, owned by the caller.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the load finished (see the remarks for when it is seen).</exception>
    /// <exception cref="InvalidBundleException">The file is not a valid bundle (as <see cref="Load(string, RuntimeOptions?, ILogger?)"/>).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ExecutionDeviceException">The device cannot be used and <see cref="RuntimeOptions.FallbackToCpu"/> is off.</exception>
    /// <exception cref="ArgumentException">A path, an option or the signing key is invalid (as <see cref="Load(string, RuntimeOptions?, ILogger?)"/>).</exception>
    public static Task<FewShotModel> LoadAsync(string path, RuntimeOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Load(path, options, logger, cancellationToken), cancellationToken);

    /// <summary>
    /// <see cref="LoadAsync(string, RuntimeOptions?, ILogger?, CancellationToken)"/> without a logger: the form of before the
    /// logger was added, kept so that calls passing the token third still compile.
    /// </summary>
    /// <param name="path">The .fewshot file.</param>
    /// <param name="options">Device, threads, limits; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the load where <see cref="LoadAsync(string, RuntimeOptions?, ILogger?, CancellationToken)"/> says.</param>
    /// <returns>The model, owned by the caller.</returns>
    public static Task<FewShotModel> LoadAsync(string path, RuntimeOptions? options, CancellationToken cancellationToken) =>
        LoadAsync(path, options, logger: null, cancellationToken);

    /// <summary>
    /// Runs <see cref="Load(Stream, RuntimeOptions?, ILogger?)"/> on the thread pool: the bundle is read from the stream's
    /// position, and the stream is not disposed (keep it open until the task ends). <paramref name="cancellationToken"/>
    /// stops it before it starts and between the load's stages, as <see cref="LoadAsync(string, RuntimeOptions?, ILogger?, CancellationToken)"/> says.
    /// </summary>
    /// <param name="bundle">The bundle's bytes.</param>
    /// <param name="options">Device, threads, limits; null for the defaults.</param>
    /// <param name="logger">Receives warnings (a CPU fallback, an unusable graph cache); null for none.</param>
    /// <param name="cancellationToken">Stops the load where <see cref="LoadAsync(string, RuntimeOptions?, ILogger?, CancellationToken)"/> says.</param>
    /// <returns>The model, owned by the caller.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the load finished.</exception>
    /// <exception cref="InvalidBundleException">The stream does not hold a valid bundle (as <see cref="Load(Stream, RuntimeOptions?, ILogger?)"/>).</exception>
    /// <exception cref="ExecutionDeviceException">The device cannot be used and <see cref="RuntimeOptions.FallbackToCpu"/> is off.</exception>
    /// <exception cref="ArgumentException">An option or the signing key is invalid.</exception>
    public static Task<FewShotModel> LoadAsync(Stream bundle, RuntimeOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return Task.Run(() => Load(bundle, options, logger, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// One throwaway adaptation (two steps, so both of adapt's runs are made) and prediction on zeros, in the shape of the
    /// bundle's own episodes: ONNX Runtime's first run of a session plans its memory and faults in its arena, and .NET
    /// compiles the run paths, which made an app's first adaptation after Load 1.3 to 1.9 times a warm one
    /// (<see cref="RuntimeOptions.WarmUp"/>).
    /// </summary>
    /// <param name="cancellationToken">The load's: seen between steps and between graph nodes, as in an adaptation.</param>
    private void WarmUp(CancellationToken cancellationToken)
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
                OutputKind.Regression => AdaptToTargets(zeros.AsMemory(0, count * ExampleSize), new float[count * Manifest.Output.Size], twoSteps, cancellationToken),
                OutputKind.Reconstruction => AdaptWithoutLabels(zeros.AsMemory(0, count * ExampleSize), twoSteps, cancellationToken),
                _ => AdaptLabelled(zeros.AsMemory(0, count * ExampleSize), Enumerable.Range(0, count).Select(i => (i % classes).ToString(CultureInfo.InvariantCulture)).ToArray(), twoSteps, cancellationToken),
            };
            RunPredict(adapted, zeros, cancellationToken);
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
