using System.Globalization;
using FewShot.Bundles;

namespace FewShot.Runtime.Bundles;

// Adaptation: the Adapt methods for each kind of support set (labels, targets, none) and their async forms, the checks
// of the support set against the bundle, and the run of the adapter through the model's gate.
public sealed partial class FewShotModel
{
    /// <summary>Adapts to a labelled support set (logits and embedding bundles).</summary>
    /// <param name="supportInputs">Support examples, row-major [n, …input shape]; read during the call, not kept.</param>
    /// <param name="supportLabels">n labels, the caller's own; classes are numbered in order of first appearance.</param>
    /// <param name="options">Steps and label order; null for the defaults (K steps).</param>
    /// <returns>The adapted model, immutable.</returns>
    /// <exception cref="ArgumentException">
    /// The support set is empty, not whole examples, not finite, or its label count differs from its example count; a
    /// label is null, empty or white space only; a class has no example; the class count is outside the bundle's range.
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

    private AdaptedModel AdaptLabelled(ReadOnlyMemory<float> inputs, IReadOnlyList<string> labels, AdaptOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(labels);
        RequireAdaptation();
        RequireKind("Adapt (class labels)", OutputKind.Logits, OutputKind.Embedding);
        int count = InputChecks.CountExamples(inputs.Span, Manifest.Input.Shape, ExampleSize, Manifest.Input.Preprocessing, "support inputs", "supportInputs");
        if (labels.Count != count)
        {
            throw new ArgumentException($"The support inputs hold {Counted.Of(count, "example", "examples")} but {Counted.Of(labels.Count, "label was", "labels were")} given.", "supportLabels");
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
            throw new ArgumentException($"The support inputs hold {Counted.Of(count, "example", "examples")}, so {Counted.Of(count * (long)size, $"target ({size} each) is", $"targets ({size} each) are")} needed, but {Counted.Of(targets.Length, "was", "were")} given.", "supportTargets");
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
                $"options.Unrolled runs the bundle's K-step graph, which takes exactly K = {Counted.Of(Manifest.InnerLoop.Steps, "step", "steps")}, but options.Steps is {steps}; leave Steps null or set Unrolled to false",
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
