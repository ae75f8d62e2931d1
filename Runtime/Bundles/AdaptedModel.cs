using FewShot.Bundles;
namespace FewShot.Runtime.Bundles;

/// <summary>
/// A model adapted to one task: the base <see cref="FewShotModel"/> plus the adapted state (θ′, or the prototypes) and
/// the task's labels. Made by <see cref="FewShotModel.Adapt(ReadOnlyMemory{float}, IReadOnlyList{string}, AdaptOptions?)"/>
/// and its variants, or read back by <see cref="FewShotModel.LoadAdapted(Stream)"/>.
/// </summary>
/// <remarks>
/// Immutable and thread-safe: any number of threads may predict with one adapted model at once. It holds only managed
/// memory and needs no disposal; it uses its base model's graphs, so predicting after the base model is disposed
/// throws <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class AdaptedModel
{
    private readonly FewShotModel _model;

    internal AdaptedModel(FewShotModel model, string[] labels, AdaptedTensor[] tensors)
    {
        _model = model;
        Labels = Array.AsReadOnly(labels);
        Tensors = Array.AsReadOnly(tensors);
    }

    /// <summary>The base model this state belongs to.</summary>
    public FewShotModel BaseModel => _model;

    /// <summary>The base model's hash (SHA-256 of its manifest.json, lowercase hex), which saved states record.</summary>
    public string BaseModelHash => _model.Hash;

    /// <summary>
    /// The task's labels in class-index order (order of first appearance in the support set, or
    /// <see cref="AdaptOptions.Labels"/>); empty for regression and reconstruction bundles.
    /// </summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The adapted state: one tensor per adapted parameter, or "prototypes"; for export (e.g. as a plain ONNX file).</summary>
    public IReadOnlyList<AdaptedTensor> Tensors { get; }

    /// <summary>Classifies queries (logits and embedding bundles) or scores them for anomalies (reconstruction bundles).</summary>
    /// <param name="queryInputs">
    /// Query examples, row-major [n, …input shape], normalized as the manifest says; read, not kept. A query's prediction
    /// is the same alone as in any batch, except for bundles that normalize with the batch's own statistics
    /// (<see cref="ModelManifest.PredictionsDependOnBatch"/>: the older, transductive conv4 bundles and <c>--norm batch</c>).
    /// </param>
    /// <returns>One prediction per query, in order.</returns>
    /// <exception cref="ArgumentException">The queries are empty, not a whole number of examples, or hold NaN or infinity.</exception>
    /// <exception cref="InvalidOperationException">The bundle is a regression model; use <see cref="PredictValues(ReadOnlyMemory{float})"/>.</exception>
    /// <exception cref="GraphRunException">predict.onnx fails while running; the message names the graph, ONNX Runtime's exception is inside.</exception>
    /// <exception cref="NonFiniteResultException">The graph produced NaN or infinity (inputs far outside the manifest's range, or a damaged bundle).</exception>
    /// <exception cref="ObjectDisposedException">The base model has been disposed.</exception>
    public IReadOnlyList<Prediction> Predict(ReadOnlyMemory<float> queryInputs) => PredictCore(queryInputs, CancellationToken.None);

    /// <summary>Classifies queries; <c>cancellationToken</c> stops it between chunks and between graph nodes (<see cref="OperationCanceledException"/>).</summary>
    /// <inheritdoc cref="Predict(ReadOnlyMemory{float})"/>
    public IReadOnlyList<Prediction> Predict(ReadOnlyMemory<float> queryInputs, CancellationToken cancellationToken) => PredictCore(queryInputs, cancellationToken);

    /// <summary>Runs <see cref="Predict(ReadOnlyMemory{float})"/> on the thread pool.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<IReadOnlyList<Prediction>> PredictAsync(ReadOnlyMemory<float> queryInputs, CancellationToken cancellationToken = default) =>
        Task.Run(() => PredictCore(queryInputs, cancellationToken), cancellationToken);

    /// <summary>
    /// Each query's raw "output" row: regression values, reconstructions, or logits (all of the head's outputs).
    /// </summary>
    /// <param name="queryInputs">Query examples, row-major [n, …input shape]; read, not kept.</param>
    /// <returns>One fresh array per query, in order, owned by the caller.</returns>
    /// <exception cref="ArgumentException">The queries are empty, not a whole number of examples, or hold NaN or infinity.</exception>
    /// <exception cref="NonFiniteResultException">The graph produced NaN or infinity (inputs far outside the manifest's range, or a damaged bundle).</exception>
    /// <exception cref="GraphRunException">predict.onnx fails while running; the message names the graph, ONNX Runtime's exception is inside.</exception>
    /// <exception cref="ObjectDisposedException">The base model has been disposed.</exception>
    public IReadOnlyList<float[]> PredictValues(ReadOnlyMemory<float> queryInputs) => PredictValuesCore(queryInputs, CancellationToken.None);

    /// <summary>Each query's raw output row; <c>cancellationToken</c> stops it between chunks and between graph nodes (<see cref="OperationCanceledException"/>).</summary>
    /// <inheritdoc cref="PredictValues(ReadOnlyMemory{float})"/>
    public IReadOnlyList<float[]> PredictValues(ReadOnlyMemory<float> queryInputs, CancellationToken cancellationToken) => PredictValuesCore(queryInputs, cancellationToken);

    /// <summary>Runs <see cref="PredictValues(ReadOnlyMemory{float})"/> on the thread pool.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<IReadOnlyList<float[]>> PredictValuesAsync(ReadOnlyMemory<float> queryInputs, CancellationToken cancellationToken = default) =>
        Task.Run(() => PredictValuesCore(queryInputs, cancellationToken), cancellationToken);

    /// <summary>
    /// Reconstruction bundles (the meta-learned autoencoder): each query's anomaly score, the mean squared error of its
    /// reconstruction by the autoencoder adapted to the support set of normal examples. Higher means less like the
    /// support set; pick a threshold from scores of known-normal examples (e.g. a high percentile). The same values as
    /// <see cref="Prediction.Score"/>, without the other fields.
    /// </summary>
    /// <param name="queryInputs">Query examples, row-major [n, …input shape], prepared as the manifest says; read, not kept.</param>
    /// <param name="cancellationToken">Stops it between chunks and between graph nodes (<see cref="OperationCanceledException"/>).</param>
    /// <returns>One score per query, in order: a fresh array owned by the caller.</returns>
    /// <exception cref="InvalidOperationException">The bundle is not a reconstruction model.</exception>
    /// <exception cref="ArgumentException">The queries are empty, not a whole number of examples, or hold NaN or infinity.</exception>
    /// <exception cref="GraphRunException">predict.onnx fails while running; the message names the graph, ONNX Runtime's exception is inside.</exception>
    /// <exception cref="NonFiniteResultException">The graph produced NaN or infinity.</exception>
    /// <exception cref="ObjectDisposedException">The base model has been disposed.</exception>
    public float[] AnomalyScores(ReadOnlyMemory<float> queryInputs, CancellationToken cancellationToken = default)
    {
        if (_model.Kind != OutputKind.Reconstruction)
        {
            throw new InvalidOperationException($"Anomaly scores come from reconstruction bundles; this bundle's output kind is {_model.Kind}: use Predict.");
        }

        return _model.RunPredict(this, queryInputs, cancellationToken).Scores!;
    }

    /// <summary>
    /// Writes the adapted state (labels, tensors, base model hash) to <paramref name="destination"/>, which stays open:
    /// with a SHA-256 checksum, or, when the base model has <see cref="RuntimeOptions.StateSigningKey"/>, signed with an
    /// HMAC and bound to the empty owner id (see <see cref="Save(Stream, string)"/>).
    /// </summary>
    /// <remarks>Read it back with <see cref="FewShotModel.LoadAdapted(Stream)"/> on the same base model.</remarks>
    public void Save(Stream destination) => Save(destination, string.Empty);

    /// <summary>
    /// Writes the adapted state signed with the base model's <see cref="RuntimeOptions.StateSigningKey"/> and bound to
    /// <paramref name="ownerId"/> (a user id, say): only <see cref="FewShotModel.LoadAdapted(Stream, string)"/> with the same
    /// key and owner reads it back, so an edited file, or one copied to another owner, is refused.
    /// </summary>
    /// <param name="destination">Receives the state; stays open.</param>
    /// <param name="ownerId">Who the state belongs to; at most 4,096 UTF-8 bytes.</param>
    /// <exception cref="InvalidOperationException">An owner id was given but the base model has no signing key.</exception>
    public void Save(Stream destination, string ownerId)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(ownerId);
        byte[]? key = _model.SigningKey;
        if (key is null && ownerId.Length > 0)
        {
            throw new InvalidOperationException("An owner id binds a signed state, and this model has no RuntimeOptions.StateSigningKey; set the key, or save without an owner.");
        }

        AdaptedStateFile.Write(destination, this, _model.HashBytes, key, ownerId);
    }

    /// <summary>Writes the adapted state to <paramref name="path"/> atomically: readers see the old file or the whole new one.</summary>
    /// <exception cref="IOException">The file cannot be written; the target is then untouched.</exception>
    public void Save(string path) => Save(path, string.Empty);

    /// <summary>Writes the adapted state, signed and bound to <paramref name="ownerId"/>, to <paramref name="path"/> atomically.</summary>
    /// <inheritdoc cref="Save(Stream, string)"/>
    /// <exception cref="IOException">The file cannot be written; the target is then untouched.</exception>
    public void Save(string path, string ownerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(ownerId);
        AtomicFile.Write(path, stream => Save(stream, ownerId));
    }

    /// <summary>
    /// Runs <see cref="Save(string)"/> on the thread pool: written atomically, so readers see the old file or the whole new
    /// one. <paramref name="cancellationToken"/> stops it before it starts, when nothing has been written.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the write started.</exception>
    /// <exception cref="IOException">The file cannot be written; the target is then untouched.</exception>
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) => SaveAsync(path, string.Empty, cancellationToken);

    /// <summary>Runs <see cref="Save(string, string)"/> on the thread pool, atomically; <paramref name="cancellationToken"/> stops it before it starts.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the write started.</exception>
    /// <exception cref="InvalidOperationException">An owner id was given but the base model has no signing key.</exception>
    /// <exception cref="IOException">The file cannot be written; the target is then untouched.</exception>
    public Task SaveAsync(string path, string ownerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(ownerId);
        return Task.Run(() => Save(path, ownerId), cancellationToken);
    }

    /// <summary>Runs <see cref="Save(Stream)"/> on the thread pool (the stream stays open); <paramref name="cancellationToken"/> stops it before it starts.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the write started.</exception>
    public Task SaveAsync(Stream destination, CancellationToken cancellationToken = default) => SaveAsync(destination, string.Empty, cancellationToken);

    /// <summary>Runs <see cref="Save(Stream, string)"/> on the thread pool (the stream stays open); <paramref name="cancellationToken"/> stops it before it starts.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the write started.</exception>
    /// <exception cref="InvalidOperationException">An owner id was given but the base model has no signing key.</exception>
    public Task SaveAsync(Stream destination, string ownerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(ownerId);
        return Task.Run(() => Save(destination, ownerId), cancellationToken);
    }

    private IReadOnlyList<Prediction> PredictCore(ReadOnlyMemory<float> queryInputs, CancellationToken cancellationToken)
    {
        if (_model.Kind == OutputKind.Regression)
        {
            throw new InvalidOperationException("This bundle is a regression model, which predicts values, not classes: use PredictValues.");
        }

        Predictor.Result result = _model.RunPredict(this, queryInputs, cancellationToken);
        var predictions = new Prediction[result.Count];
        for (int i = 0; i < predictions.Length; i++)
        {
            if (result.Scores is { } scores)
            {
                predictions[i] = new Prediction(null, -1, [], scores[i]);
                continue;
            }

            // Only the adapted classes compete: a head wider than the task has outputs that no label names.
            float[] probabilities = Softmax(result.Values.AsSpan(i * result.RowSize, Labels.Count), out int best);
            predictions[i] = new Prediction(Labels[best], best, Array.AsReadOnly(probabilities), null);
        }

        return predictions;
    }

    private IReadOnlyList<float[]> PredictValuesCore(ReadOnlyMemory<float> queryInputs, CancellationToken cancellationToken)
    {
        Predictor.Result result = _model.RunPredict(this, queryInputs, cancellationToken);
        var rows = new float[result.Count][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = result.Values.AsSpan(i * result.RowSize, result.RowSize).ToArray();
        }

        return rows;
    }

    private static float[] Softmax(ReadOnlySpan<float> logits, out int best)
    {
        best = 0;
        for (int c = 1; c < logits.Length; c++)
        {
            if (logits[c] > logits[best])
            {
                best = c;
            }
        }

        var probabilities = new float[logits.Length];
        double sum = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            double e = Math.Exp(logits[c] - logits[best]);
            probabilities[c] = (float)e;
            sum += e;
        }

        for (int c = 0; c < logits.Length; c++)
        {
            probabilities[c] = (float)(probabilities[c] / sum);
        }

        return probabilities;
    }
}
