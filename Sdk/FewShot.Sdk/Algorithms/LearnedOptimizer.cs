using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// The Meta-Learner LSTM (Ravi &amp; Larochelle 2017; learning to optimize, Andrychowicz et al. 2016): the inner loop is
/// θ_{t+1} = Opt_φ(θ_t, ∇L_support(θ_t), L) = f ⊙ θ_t − i ⊙ ∇, a coordinate-wise <see cref="LstmOptimizer"/> shared across
/// parameters whose cell state is the parameter, and φ is meta-trained with θ₀ on the query loss after T steps. It starts as
/// SGD with step <see cref="InnerLoopOptions.LearningRate"/> (f ≈ 1, i ≈ that step) and learns from there, which is why this
/// form and not Andrychowicz's (whose random initial optimizer needs far longer meta-training than a CPU budget gives).
/// The optimizer adapts the head from the body's support features, computed once (as ANIL does), so its per-coordinate
/// state stays small ([P, H] for the head's P coordinates) and every step is cheap on a device. The gradient and loss fed
/// to the optimizer are constants of the meta-gradient (both papers drop those second derivatives). On a device the adapt
/// graph runs the learned optimizer: our autodiff writes the head's gradient, the LSTM runs forward, and its state is
/// carried from step to step (<c>innerLoop.carriedState</c>). Meta-training runs on TorchSharp only (<c>TorchLearnedOptimizer</c>).
/// </summary>
public sealed class LearnedOptimizer : MetaAlgorithm
{
    private readonly IHeadedModel _model;

    /// <summary>Binds the optimizer to a headed classifier; <paramref name="inner"/>'s steps are T, its learning rate the optimizer's initial step.</summary>
    public LearnedOptimizer(IHeadedModel model, InnerLoopOptions? inner = null, int hiddenSize = 20)
        : base(model, TaskKind.Classification)
    {
        _model = model;
        Inner = inner ?? new InnerLoopOptions();
        Inner.Validate();
        Optimizer = new LstmOptimizer(Inner.LearningRate, hiddenSize);
        Coordinates = model.Parameters.Where(p => model.HeadParameterNames.Contains(p.Name)).Sum(p => (long)p.ElementCount);
        CarriedState = Optimizer.State(Coordinates);
    }

    /// <inheritdoc />
    public override string Name => "metalstm";

    /// <summary>T, the optimizer's steps in meta-training (and the bundle's default).</summary>
    public InnerLoopOptions Inner { get; }

    /// <summary>The learned optimizer.</summary>
    public LstmOptimizer Optimizer { get; }

    /// <summary>P: the coordinates it optimizes (the head's elements).</summary>
    public long Coordinates { get; }

    /// <summary>The optimizer's state carried from step to step, zeros at the start.</summary>
    public IReadOnlyList<ParameterSpec> CarriedState { get; }

    /// <inheritdoc />
    public override IReadOnlyList<ParameterSpec> MetaParameters => [.. Model.Parameters, .. Optimizer.Parameters];

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => _model.HeadParameterNames;

    /// <inheritdoc />
    public override IReadOnlyList<ParameterSpec> StateParameters => [.. MetaParameters, .. CarriedState];

    /// <inheritdoc />
    public override (IReadOnlyList<ParameterSpec> Specs, float[][] Values) DeploymentState(float[][] metaParameters)
    {
        ArgumentNullException.ThrowIfNull(metaParameters);
        return (StateParameters, [.. metaParameters, .. CarriedState.Select(s => new float[s.ElementCount])]);
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the learned optimizer meta-trains on TorchSharp (<c>--engine torch</c>).</exception>
    public override TaskGraph BuildMetaStep() =>
        throw new NotSupportedException($"{Name} meta-trains on TorchSharp only (--engine torch); its ONNX graphs adapt and predict");

    /// <inheritdoc />
    /// <remarks>Runs the body on support_x once, then <paramref name="steps"/> learned-optimizer steps on the head.</remarks>
    public override TaskGraph BuildAdapt(int steps)
    {
        var w = new TaskGraphWriter($"{Name}_adapt_{steps}", Model, Task);
        var state = w.Parameters(StateParameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        return Finish(w, state, _model.Features(w.Graph, supportX, state), supportY, steps);
    }

    /// <summary>Head, optimizer and its state, support features (predict's "features") and labels → the state after <paramref name="steps"/> steps.</summary>
    public TaskGraph BuildAdaptFromFeatures(int steps)
    {
        var w = new TaskGraphWriter($"{Name}_adapt_features_{steps}", Model, Task);
        var body = Model.Parameters.Select(p => p.Name).Except(AdaptedParameters).ToHashSet(StringComparer.Ordinal);
        var state = w.Parameters(StateParameters.Where(p => !body.Contains(p.Name)));
        var features = w.Input(GraphNames.SupportFeatures, DataType.Float, [GraphNames.SupportCount, _model.FeatureSize]);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        return Finish(w, state, features, supportY, steps);
    }

    /// <inheritdoc />
    /// <remarks>Also outputs the body's features, which the one-step adapt graph reads.</remarks>
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter($"{Name}_predict", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var features = _model.Features(w.Graph, x, parameters);
        w.Output(_model.Head(w.Graph, features, parameters), GraphNames.Output, [GraphNames.QueryCount, Model.OutputSize]);
        w.Output(features, GraphNames.Features, [GraphNames.QueryCount, _model.FeatureSize]);
        return w.Finish(TaskGraphRole.Predict);
    }

    private TaskGraph Finish(TaskGraphWriter w, Dictionary<string, string> state, string features, string supportY, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var g = w.Graph;
        var current = new Dictionary<string, string>(state, StringComparer.Ordinal);
        var carried = CarriedState.Select(s => state[s.Name]).ToArray();
        var head = Model.Parameters.Where(p => AdaptedParameters.Contains(p.Name)).ToArray();
        for (var step = 0; step < steps; step++)
        {
            var loss = TaskLoss.Loss(g, Task, _model.Head(g, features, current), supportY, features);
            var gradients = Gradients.Append(g, loss, head.Select(p => current[p.Name]).ToArray());
            string Flat(Func<ParameterSpec, string> value) => g.Op("Concat", [.. head.Select(p => g.Op("Reshape", [value(p), g.Int64s(-1, 1)]))], Attr.Int("axis", 0));
            (var theta, carried) = Optimizer.Step(g, Flat(p => current[p.Name]), Flat(p => gradients[current[p.Name]]), loss, carried, state);
            long offset = 0;
            foreach (var p in head)
            {
                var part = g.Op("Slice", [theta, g.Int64s(offset), g.Int64s(offset + p.ElementCount), g.Int64s(0)]);
                current[p.Name] = g.Op("Reshape", [part, g.Int64s(p.Shape)]);
                offset += p.ElementCount;
            }
        }

        foreach (var p in head)
        {
            w.Output(current[p.Name], GraphNames.Adapted(p.Name), p.Shape.Select(d => (Dim)d));
        }

        for (var i = 0; i < CarriedState.Count; i++)
        {
            w.Output(carried[i], GraphNames.Adapted(CarriedState[i].Name), CarriedState[i].Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.Adapt);
    }
}
