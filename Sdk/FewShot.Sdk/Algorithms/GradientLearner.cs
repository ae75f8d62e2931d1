using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// The shared machinery of the algorithms that adapt by gradient steps (MAML, FOMAML, Meta-SGD, ANIL, Reptile,
/// the meta-learned autoencoder): an algorithm states which parameters its inner loop adapts, their step sizes,
/// whether inner gradients are constants, and its meta-gradient; this class writes the graphs.
/// </summary>
public abstract class GradientLearner : MetaAlgorithm
{
    /// <summary>Binds the learner to a model, a kind of task and inner-loop settings.</summary>
    protected GradientLearner(IFewShotModel model, TaskKind task, InnerLoopOptions? inner)
        : base(model, task)
    {
        Inner = inner ?? new InnerLoopOptions();
        Inner.Validate();
        if (Inner.PerStepLearningRates && !AllowsStepRates)
        {
            throw new ArgumentException($"{Name} cannot learn per-step learning rates (LSLR): {StepRatesRefusal}", nameof(inner));
        }

        if (Inner.PrototypeHead)
        {
            var refusal = task != TaskKind.Classification ? $"it needs class labels, and this is a {task} task"
                : FeaturesOnce ? "it adapts the head alone from features computed once; a prototype head is for learners that adapt the whole network"
                : PrototypeHeadRefusal;
            if (refusal is not null)
            {
                throw new ArgumentException($"{Name} cannot start its head from prototypes (Proto-MAML): {refusal}", nameof(inner));
            }

            _headed = PrototypeHead.Check(model, Name);
        }

        if (model is ISupportNormalizedModel { SupportStatistics.Count: > 0 } supportNormalized)
        {
            if (FeaturesOnce)
            {
                throw new ArgumentException($"{Name} cannot normalize by support statistics (MetaBN): it computes the body's features once, at θ₀, and adapts the head alone", nameof(model));
            }

            _supportNormalized = supportNormalized;
        }
    }

    private readonly IHeadedModel? _headed;

    // The model when it normalizes by support statistics: a pass over the support at the adapted parameters computes them, and they join the adapted state.
    private readonly ISupportNormalizedModel? _supportNormalized;

    /// <summary>
    /// The support statistics that adaptation outputs beside the adapted parameters, and predict reads (<see cref="FeatureNormalization.Support"/>);
    /// empty for other normalizations. They are adapted state, not meta-parameters: nothing learns them.
    /// </summary>
    public IReadOnlyList<ParameterSpec> SupportStatistics => _supportNormalized?.SupportStatistics ?? [];

    /// <summary>What adaptation outputs and predict reads in its place: <see cref="AdaptedParameters"/>, then <see cref="SupportStatistics"/>.</summary>
    public IReadOnlyList<string> AdaptedState => [.. AdaptedParameters, .. SupportStatistics.Select(s => s.Name)];

    /// <summary>The meta-parameters, then <see cref="SupportStatistics"/> (the adapt graphs take them as state, and ignore their values).</summary>
    public override IReadOnlyList<ParameterSpec> StateParameters => [.. base.StateParameters, .. SupportStatistics];

    /// <inheritdoc />
    /// <remarks>The support statistics start at zero means and unit variances, which the first adaptation replaces.</remarks>
    public override (IReadOnlyList<ParameterSpec> Specs, float[][] Values) DeploymentState(float[][] metaParameters)
    {
        // MetaAlgorithm's: the state parameters (with the statistics) over the meta-parameters' values; the statistics' are appended.
        var (specs, values) = base.DeploymentState(metaParameters);
        return SupportStatistics.Count == 0 ? (specs, values) : (specs, [.. values, .. SupportStatistics.Select(s => s.Initialize(new Random(0)))]);
    }

    /// <summary>The inner loop used in meta-training.</summary>
    public InnerLoopOptions Inner { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => Model.Parameters.Select(p => p.Name).ToArray();

    /// <summary>
    /// The model's parameters, then, with <see cref="InnerLoopOptions.PerStepLearningRates"/>, one [K] tensor of step
    /// sizes per adapted parameter ("lslr.&lt;name&gt;"), each starting at <see cref="InnerLoopOptions.LearningRate"/>.
    /// </summary>
    public override IReadOnlyList<ParameterSpec> MetaParameters => Inner.PerStepLearningRates
        ? [.. ModelParameters, .. AdaptedParameters.Select(name => new ParameterSpec(GraphNames.StepLearningRates(name), [Inner.Steps], ParameterInit.Constant, Value: Inner.LearningRate))]
        : ModelParameters;

    /// <summary>The model's parameters; with a prototype head, the head (the learned offset from the prototypes) starts at zero.</summary>
    protected IReadOnlyList<ParameterSpec> ModelParameters => _headed is null
        ? Model.Parameters
        : Model.Parameters.Select(p => _headed.HeadParameterNames.Contains(p.Name) ? p with { Init = ParameterInit.Zeros } : p).ToArray();

    /// <summary>Why this learner cannot take <see cref="InnerLoopOptions.PrototypeHead"/>; null when it can.</summary>
    protected virtual string? PrototypeHeadRefusal => null;

    /// <summary>False for learners whose step sizes are otherwise defined (Meta-SGD) or never meta-learned (Reptile).</summary>
    protected virtual bool AllowsStepRates => true;

    /// <summary>Why <see cref="AllowsStepRates"/> is false, for the error message.</summary>
    protected virtual string StepRatesRefusal => "";

    /// <summary>True when the inner gradients are treated as constants (first-order).</summary>
    protected virtual bool FirstOrder => false;

    /// <summary>True when only the head adapts and the body's support features are computed once (ANIL).</summary>
    protected virtual bool FeaturesOnce => false;

    /// <summary>True when adaptation changes the head alone, so <see cref="BuildAdaptFromFeatures(int)"/> applies.</summary>
    public bool AdaptsHeadOnly => FeaturesOnce;

    /// <summary>
    /// True when, as far as the learner goes, a step on a support set is the count-weighted mean of the steps on the parts
    /// of a split of it (the manifest's innerLoop.separableSteps, which also needs a model that normalizes no statistics
    /// across examples): every step is θ − rate ⊙ ∇(mean of the examples' losses), with no prototypes of the whole
    /// support (<see cref="InnerLoopOptions.PrototypeHead"/>), no support statistics and no features computed once.
    /// </summary>
    public bool StepsSeparateByExample => !FeaturesOnce && !Inner.PrototypeHead && SupportStatistics.Count == 0;

    /// <summary>
    /// The value name of a parameter's step size: the scalar <see cref="InnerLoopOptions.LearningRate"/>, or with per-step
    /// rates the entry <paramref name="stepIndex"/> (an int64 scalar value, already at most K − 1) of its learned [K] rates.
    /// </summary>
    protected virtual string StepSize(GraphBuilder g, IReadOnlyDictionary<string, string> metaValues, string parameter, string? stepIndex) =>
        Inner.PerStepLearningRates
            ? g.Op("Gather", [metaValues[GraphNames.StepLearningRates(parameter)], stepIndex!])
            : g.Scalar(Inner.LearningRate, DataType.Float);

    /// <summary>The meta-gradient outputs: by default d(query loss)/d(meta-parameter) through the unrolled inner loop.</summary>
    protected virtual IReadOnlyDictionary<string, string> MetaGradients(
        GraphBuilder g, string queryLoss, IReadOnlyDictionary<string, string> metaValues, IReadOnlyDictionary<string, string> adapted) =>
        Gradients.Append(g, queryLoss, MetaParameters.Select(p => metaValues[p.Name]).ToArray());

    /// <inheritdoc />
    public override TaskGraph BuildMetaStep()
    {
        var w = new TaskGraphWriter($"{Name}_meta_step", Model, Task);
        var meta = w.Parameters(MetaParameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount);
        var queryX = w.Examples(GraphNames.QueryX, GraphNames.QueryCount);
        var queryY = w.Targets(GraphNames.QueryY, GraphNames.QueryCount);

        var adapted = Adapt(w.Graph, meta, supportX, supportY, Inner.Steps);
        var prediction = Model.Forward(w.Graph, queryX, adapted);
        var loss = TaskLoss.Loss(w.Graph, Task, prediction, queryY, queryX);
        var metric = TaskLoss.Metric(w.Graph, Task, prediction, queryY, loss);
        var gradients = MetaGradients(w.Graph, loss, meta, adapted);

        w.Output(loss, GraphNames.Loss, []);
        w.Output(metric, GraphNames.Metric, []);
        foreach (var parameter in MetaParameters)
        {
            w.Output(gradients[meta[parameter.Name]], GraphNames.Gradient(parameter.Name), parameter.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.MetaStep);
    }

    /// <inheritdoc />
    public override TaskGraph BuildAdapt(int steps) => BuildAdapt(steps, repeated: false);

    /// <summary>
    /// The one-step graph that the runtime repeats (a bundle's adapt.onnx): from support features for head-only learners;
    /// with per-step learning rates it takes "step" (int64 scalar) and steps with the rates of step min(step, K − 1).
    /// With support statistics it neither takes nor outputs them: <see cref="BuildSupportStatistics"/> computes them once,
    /// after the last step, where a step that made them would make them at every step and keep only the last.
    /// </summary>
    public TaskGraph BuildAdaptStep() => FeaturesOnce ? BuildAdaptFromFeatures(1, repeated: true) : BuildAdapt(1, repeated: true);

    /// <summary>
    /// A bundle's statistics.onnx, for a model normalized by support statistics: the adapted parameters and the support
    /// set → the support's statistics at them (the pass that adaptation ends with; <see cref="SupportStatistics"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model does not normalize by support statistics.</exception>
    public TaskGraph BuildSupportStatistics()
    {
        var model = _supportNormalized ?? throw new InvalidOperationException($"{Name}'s model does not normalize by support statistics; it has no statistics graph");
        var w = new TaskGraphWriter($"{Name}_support_statistics", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        foreach (var (name, value) in model.SupportStatisticsAt(w.Graph, supportX, parameters))
        {
            w.Output(value, GraphNames.Adapted(name), SupportStatistics.First(s => s.Name == name).Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.Adapt);
    }

    private TaskGraph BuildAdapt(int steps, bool repeated)
    {
        // The one-step graph of a support-normalized model leaves the statistics (state it neither takes nor outputs) to the statistics graph.
        IReadOnlyList<ParameterSpec> leftOut = repeated ? SupportStatistics : [];
        var w = new TaskGraphWriter($"{Name}_adapt_{steps}", Model, Task);
        var meta = w.Parameters(StateParameters.Except(leftOut));
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount);
        var adapted = Adapt(w.Graph, meta, supportX, supportY, steps, StepInput(w, repeated), withStatistics: !repeated);
        foreach (var parameter in Model.Parameters.Where(p => AdaptedParameters.Contains(p.Name)).Concat(SupportStatistics.Except(leftOut)))
        {
            w.Output(adapted[parameter.Name], GraphNames.Adapted(parameter.Name), parameter.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <summary>
    /// For learners that adapt the head alone (ANIL, fine-tuning): head parameters, support features (what predict
    /// outputs as "features") and support labels → adapted head after <paramref name="steps"/> steps. Stepping this
    /// graph never runs the body again.
    /// </summary>
    /// <exception cref="InvalidOperationException">The learner adapts more than the head.</exception>
    public TaskGraph BuildAdaptFromFeatures(int steps) => BuildAdaptFromFeatures(steps, repeated: false);

    private TaskGraph BuildAdaptFromFeatures(int steps, bool repeated)
    {
        if (!FeaturesOnce)
        {
            throw new InvalidOperationException($"{Name} adapts the whole network; only head-only learners adapt from features");
        }

        var headed = (IHeadedModel)Model;
        var w = new TaskGraphWriter($"{Name}_adapt_features_{steps}", Model, Task);
        var rates = AdaptedParameters.Select(GraphNames.StepLearningRates).ToHashSet(StringComparer.Ordinal);
        var meta = w.Parameters(StateParameters.Where(p => AdaptedParameters.Contains(p.Name) || (Inner.PerStepLearningRates && rates.Contains(p.Name))));
        var features = w.Input(GraphNames.SupportFeatures, DataType.Float, [GraphNames.SupportCount, headed.FeatureSize]);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount);
        var step = StepInput(w, repeated);
        var adapted = Unroll(w.Graph, meta, current => TaskLoss.Loss(w.Graph, Task, headed.Head(w.Graph, features, current), supportY, features), steps, step);
        foreach (var parameter in Model.Parameters.Where(p => AdaptedParameters.Contains(p.Name)))
        {
            w.Output(adapted[parameter.Name], GraphNames.Adapted(parameter.Name), parameter.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <inheritdoc />
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter($"{Name}_predict", Model, Task);
        var parameters = w.Parameters([.. Model.Parameters, .. SupportStatistics]);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        string output;
        if (FeaturesOnce)
        {
            // Head-only learners also expose the body's features, which their one-step adapt graph reads.
            var headed = (IHeadedModel)Model;
            var features = headed.Features(w.Graph, x, parameters);
            output = headed.Head(w.Graph, features, parameters);
            w.Output(features, GraphNames.Features, [GraphNames.QueryCount, headed.FeatureSize]);
        }
        else
        {
            output = Model.Forward(w.Graph, x, parameters);
        }

        w.Output(output, GraphNames.Output, [GraphNames.QueryCount, Model.OutputSize]);
        if (Task == TaskKind.Reconstruction)
        {
            ReconstructionScore.Output(w, output, x);
        }

        return w.Finish(TaskGraphRole.Predict);
    }

    private Dictionary<string, string> Adapt(GraphBuilder g, IReadOnlyDictionary<string, string> meta, string supportX, string? supportY, int steps, string? step = null, bool withStatistics = true)
    {
        if (FeaturesOnce)
        {
            var headed = (IHeadedModel)Model;
            var features = headed.Features(g, supportX, meta);
            return Unroll(g, meta, current => TaskLoss.Loss(g, Task, headed.Head(g, features, current), supportY, supportX), steps, step);
        }

        var adapted = _headed is null ? Unroll(g, meta, SupportLoss, steps, step)
            : step is null ? Unroll(g, PrototypeHead.Start(g, _headed, meta, SupportFeatures(g, supportX, meta), supportY!), SupportLoss, steps, null)
            : PrototypeHeadStep(g, meta, supportX, supportY!, step);
        if (_supportNormalized is null || !withStatistics)
        {
            return adapted;
        }

        // Each step's support pass normalizes by the support's own statistics; the queries at θ_K take those of the support
        // at θ_K, which one more pass (to the last normalization layer) computes, in meta-training and on the device alike.
        foreach (var (name, value) in _supportNormalized.SupportStatisticsAt(g, supportX, adapted))
        {
            adapted[name] = value;
        }

        return adapted;

        string SupportLoss(IReadOnlyDictionary<string, string> current) => TaskLoss.Loss(g, Task, SupportForward(g, supportX, current), supportY, supportX);
    }

    /// <summary>The forward pass over the support set: with support normalization, by the support's own statistics.</summary>
    private string SupportForward(GraphBuilder g, string supportX, IReadOnlyDictionary<string, string> parameters) =>
        _supportNormalized?.ForwardOnSupport(g, supportX, parameters) ?? Model.Forward(g, supportX, parameters);

    /// <summary>The body's features of the support set (a prototype head's start): with support normalization, by the support's own statistics.</summary>
    private string SupportFeatures(GraphBuilder g, string supportX, IReadOnlyDictionary<string, string> parameters) =>
        _supportNormalized?.FeaturesOnSupport(g, supportX, parameters) ?? _headed!.Features(g, supportX, parameters);

    /// <summary>
    /// The device's one step with a prototype head: the head moves to the prototypes only at step 0 (gated by the step
    /// index), from the features that the step's support loss computes anyway, so no step runs the body twice.
    /// </summary>
    private Dictionary<string, string> PrototypeHeadStep(GraphBuilder g, IReadOnlyDictionary<string, string> meta, string supportX, string supportY, string step)
    {
        var headed = _headed!;
        var first = g.Op("Cast", [g.Op("Equal", [step, g.Scalar(0, DataType.Int64)])], Attr.Int("to", (long)DataType.Float));
        (string Weight, string Bias) offsets = ("", "");
        var adapted = Unroll(
            g,
            meta,
            current =>
            {
                var features = SupportFeatures(g, supportX, current);
                offsets = PrototypeHead.Offsets(g, headed, features, supportY, first);
                return TaskLoss.Loss(g, Task, headed.Head(g, features, PrototypeHead.Shift(g, headed, current, offsets)), supportY, supportX);
            },
            1,
            step);

        // The loss saw head + offset; its gradient step applies to that sum (the offset does not depend on the head).
        return PrototypeHead.Shift(g, headed, adapted, offsets);
    }

    /// <summary>The repeated graph's "step" input when its step depends on the index (per-step rates, the prototype head's first step); otherwise null.</summary>
    private string? StepInput(TaskGraphWriter w, bool repeated) =>
        repeated && (Inner.PerStepLearningRates || _headed is not null) ? w.Input(GraphNames.Step, DataType.Int64, []) : null;

    /// <param name="g">The graph.</param>
    /// <param name="meta">The state values.</param>
    /// <param name="supportLoss">The support loss of given parameter values.</param>
    /// <param name="steps">Steps to unroll.</param>
    /// <param name="repeatedStep">The repeated graph's step index input; null when unrolling. Step k takes the rates of min(k, K − 1).</param>
    private Dictionary<string, string> Unroll(GraphBuilder g, IReadOnlyDictionary<string, string> meta, Func<IReadOnlyDictionary<string, string>, string> supportLoss, int steps, string? repeatedStep)
    {
        var perStep = Inner.PerStepLearningRates;
        var stepSizes = new Dictionary<(int, string), string>();
        var indices = new Dictionary<int, string>();
        string? Index(int step) => !perStep ? null
            : indices.TryGetValue(step, out var index) ? index
            : indices[step] = repeatedStep is null
                ? g.Constant(TensorData.Scalar("", DataType.Int64, Math.Min(step, Inner.Steps - 1)), "step")
                : g.Op("Min", [repeatedStep, g.Constant(TensorData.Scalar("", DataType.Int64, Inner.Steps - 1), "last_step")]);
        return InnerLoop.Unroll(
            g,
            meta,
            AdaptedParameters,
            steps,
            (step, name) =>
            {
                var key = (perStep ? step : 0, name);
                return stepSizes.TryGetValue(key, out var size) ? size : stepSizes[key] = StepSize(g, meta, name, Index(step));
            },
            FirstOrder,
            supportLoss);
    }
}
