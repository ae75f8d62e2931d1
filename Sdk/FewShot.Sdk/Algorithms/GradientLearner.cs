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
    }

    /// <summary>The inner loop used in meta-training.</summary>
    public InnerLoopOptions Inner { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => Model.Parameters.Select(p => p.Name).ToArray();

    /// <summary>True when the inner gradients are treated as constants (first-order).</summary>
    protected virtual bool FirstOrder => false;

    /// <summary>True when only the head adapts and the body's support features are computed once (ANIL).</summary>
    protected virtual bool FeaturesOnce => false;

    /// <summary>The value name of a parameter's step size; by default the scalar <see cref="InnerLoopOptions.LearningRate"/>.</summary>
    protected virtual string StepSize(GraphBuilder g, IReadOnlyDictionary<string, string> metaValues, string parameter) =>
        g.Scalar(Inner.LearningRate, DataType.Float);

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
    public override TaskGraph BuildAdapt(int steps)
    {
        var w = new TaskGraphWriter($"{Name}_adapt_{steps}", Model, Task);
        var meta = w.Parameters(StateParameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount);
        var adapted = Adapt(w.Graph, meta, supportX, supportY, steps);
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
        var parameters = w.Parameters(Model.Parameters);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var output = Model.Forward(w.Graph, x, parameters);
        w.Output(output, GraphNames.Output, [GraphNames.QueryCount, Model.OutputSize]);
        if (Task == TaskKind.Reconstruction)
        {
            var g = w.Graph;
            var error = g.Op("Sub", [output, g.Op("Flatten", [x], Attr.Int("axis", 1))]);
            w.Output(g.Op("ReduceMean", [g.Op("Mul", [error, error])], Attr.Ints("axes", 1), Attr.Int("keepdims", 0)), GraphNames.Score, [GraphNames.QueryCount]);
        }

        return w.Finish(TaskGraphRole.Predict);
    }

    private Dictionary<string, string> Adapt(GraphBuilder g, IReadOnlyDictionary<string, string> meta, string supportX, string? supportY, int steps)
    {
        Func<IReadOnlyDictionary<string, string>, string> supportLoss;
        if (FeaturesOnce)
        {
            var headed = (IHeadedModel)Model;
            var features = headed.Features(g, supportX, meta);
            supportLoss = current => TaskLoss.Loss(g, Task, headed.Head(g, features, current), supportY, supportX);
        }
        else
        {
            supportLoss = current => TaskLoss.Loss(g, Task, Model.Forward(g, supportX, current), supportY, supportX);
        }

        var stepSizes = new Dictionary<string, string>(StringComparer.Ordinal);
        return InnerLoop.Unroll(
            g,
            meta,
            AdaptedParameters,
            steps,
            name => stepSizes.TryGetValue(name, out var size) ? size : stepSizes[name] = StepSize(g, meta, name),
            FirstOrder,
            supportLoss);
    }
}
