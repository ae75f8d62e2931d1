using Microsoft.Extensions.Logging;

namespace FewShot.Runtime.Bundles;

// The asynchronous forms of the calls that read files or streams. Each runs its synchronous form on the thread pool:
// reading a bundle is mostly hashing and opening ONNX Runtime sessions, which is CPU work that no asynchronous I/O would shorten.
public sealed partial class FewShotModel
{
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

    /// <summary>Runs <see cref="LoadAdapted(string)"/> on the thread pool; <paramref name="cancellationToken"/> stops it before it starts.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the read started.</exception>
    /// <exception cref="InvalidAdaptedStateException">The file is not a state of this model (as <see cref="LoadAdapted(string)"/>).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public Task<AdaptedModel> LoadAdaptedAsync(string path, CancellationToken cancellationToken = default) =>
        LoadAdaptedAsync(path, string.Empty, cancellationToken);

    /// <summary>Runs <see cref="LoadAdapted(string, string)"/> on the thread pool; <paramref name="cancellationToken"/> stops it before it starts.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the read started.</exception>
    /// <exception cref="InvalidAdaptedStateException">The file is not a state of this model signed for <paramref name="ownerId"/> (as <see cref="LoadAdapted(string, string)"/>).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    public Task<AdaptedModel> LoadAdaptedAsync(string path, string ownerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(ownerId);
        return Task.Run(() => LoadAdapted(path, ownerId), cancellationToken);
    }

    /// <summary>Runs <see cref="LoadAdapted(Stream)"/> on the thread pool (read from the stream's position; not disposed); <paramref name="cancellationToken"/> stops it before it starts.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the read started.</exception>
    /// <exception cref="InvalidAdaptedStateException">The stream does not hold a state of this model (as <see cref="LoadAdapted(Stream)"/>).</exception>
    public Task<AdaptedModel> LoadAdaptedAsync(Stream stream, CancellationToken cancellationToken = default) =>
        LoadAdaptedAsync(stream, string.Empty, cancellationToken);

    /// <summary>Runs <see cref="LoadAdapted(Stream, string)"/> on the thread pool (read from the stream's position; not disposed); <paramref name="cancellationToken"/> stops it before it starts.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the read started.</exception>
    /// <exception cref="InvalidAdaptedStateException">The stream does not hold a state of this model signed for <paramref name="ownerId"/> (as <see cref="LoadAdapted(Stream, string)"/>).</exception>
    public Task<AdaptedModel> LoadAdaptedAsync(Stream stream, string ownerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(ownerId);
        return Task.Run(() => LoadAdapted(stream, ownerId), cancellationToken);
    }
}
