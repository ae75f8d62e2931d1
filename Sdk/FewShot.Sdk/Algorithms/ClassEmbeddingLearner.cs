using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// A metric learner that adapts by pooling each class's support embeddings into one class embedding and predicts by
/// scoring queries against them (ProtoNets, Relation Networks). The three graphs are the same for all such learners;
/// a subclass says how classes are pooled, how a query is scored and what the training loss is.
/// </summary>
public abstract class ClassEmbeddingLearner : MetaAlgorithm, IEmbeddingAdaptation
{
    private readonly string _graphName;

    /// <summary>Creates the learner over its network.</summary>
    /// <param name="model">The network.</param>
    /// <param name="graphName">The prefix of the graphs' names ("protonet_adapt", ...).</param>
    protected ClassEmbeddingLearner(IFewShotModel model, string graphName)
        : base(model, TaskKind.Classification)
    {
        _graphName = graphName;
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => [];

    /// <summary>One row per class from the support embeddings [n, D] and their labels [n].</summary>
    protected abstract string PoolClasses(GraphBuilder g, string embeddings, string labels);

    /// <summary>Scores [n, N] of query embeddings [n, D] against class embeddings [N, D]; the largest is the prediction.</summary>
    protected abstract string Score(GraphBuilder g, string queries, string classes, IReadOnlyDictionary<string, string> parameters);

    /// <summary>The training loss of a task's query scores.</summary>
    protected abstract string Loss(GraphBuilder g, string scores, string queryY, string queryX, string supportY);

    /// <inheritdoc />
    public override TaskGraph BuildMetaStep()
    {
        var w = new TaskGraphWriter($"{_graphName}_meta_step", Model, Task);
        var g = w.Graph;
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var queryX = w.Examples(GraphNames.QueryX, GraphNames.QueryCount);
        var queryY = w.Targets(GraphNames.QueryY, GraphNames.QueryCount)!;

        var classes = PoolClasses(g, Model.Forward(g, supportX, parameters), supportY);
        var scores = Score(g, Model.Forward(g, queryX, parameters), classes, parameters);
        var loss = Loss(g, scores, queryY, queryX, supportY);
        var gradients = Gradients.Append(g, loss, Model.Parameters.Select(p => parameters[p.Name]).ToArray());

        w.Output(loss, GraphNames.Loss, []);
        w.Output(TaskLoss.Metric(g, Task, scores, queryY, loss), GraphNames.Metric, []);
        foreach (var parameter in Model.Parameters)
        {
            w.Output(gradients[parameters[parameter.Name]], GraphNames.Gradient(parameter.Name), parameter.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.MetaStep);
    }

    /// <inheritdoc />
    /// <remarks>The encoder runs once per support example; <paramref name="steps"/> does not apply.</remarks>
    public override TaskGraph BuildAdapt(int steps)
    {
        var w = new TaskGraphWriter($"{_graphName}_adapt", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var classes = PoolClasses(w.Graph, Model.Forward(w.Graph, supportX, parameters), supportY);
        w.Output(classes, GraphNames.Prototypes, ["classes", Model.OutputSize]);
        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <inheritdoc />
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter($"{_graphName}_predict", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var classes = w.Input(GraphNames.Prototypes, DataType.Float, ["classes", Model.OutputSize]);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var scores = Score(w.Graph, Model.Forward(w.Graph, x, parameters), classes, parameters);
        w.Output(scores, GraphNames.Output, [GraphNames.QueryCount, "classes"]);
        return w.Finish(TaskGraphRole.Predict);
    }
}
