using FewShot.Bundles;

namespace FewShot.Runtime.Bundles;

// Adapted states read back: LoadAdapted and its async forms, and what a state of this model must hold (its tensors'
// names and shapes, the signing key) for AdaptedStateFile, which reads and writes them.
public sealed partial class FewShotModel
{
    internal string[] StateNames => _graphs.StateNames;

    /// <summary>A copy of <see cref="RuntimeOptions.StateSigningKey"/> taken at load, or null.</summary>
    internal byte[]? SigningKey { get; }

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

    /// <summary>
    /// Reads an adapted state that <see cref="AdaptedModel.Save(Stream)"/> wrote for this model (read from the stream's
    /// position; not disposed). With <see cref="RuntimeOptions.StateSigningKey"/>, only a state signed with the key and
    /// bound to no owner is read.
    /// </summary>
    /// <returns>The adapted model, equal to the one saved.</returns>
    /// <exception cref="InvalidAdaptedStateException">
    /// Wrong magic or version, corrupted or truncated, made for another base model, or tensors, shapes or labels this model
    /// does not expect; with a signing key, also an unsigned state, an edited one, one signed with another key, or one
    /// bound to an owner; without a key, a signed state.
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
