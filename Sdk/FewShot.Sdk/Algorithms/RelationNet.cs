using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Relation Networks (Sung et al., 2018): the embedding module maps the support set once, each class is the sum of its
/// examples' feature maps, and the learned relation module scores every (query, class) pair in (0, 1); training
/// regresses the scores onto the one-hot labels (mean squared error, as the paper). Adaptation is the class
/// embeddings, with no gradient steps; prediction runs the relation module, so a query's scores depend only on it and
/// the support set.
/// </summary>
public sealed class RelationNet : MetaAlgorithm, IEmbeddingAdaptation
{
    /// <summary>Creates the algorithm over a relation network.</summary>
    public RelationNet(RelationNetwork network)
        : base(network, TaskKind.Classification)
    {
        Network = network;
    }

    /// <inheritdoc />
    public override string Name => "relationnet";

    /// <summary>The embedding and relation modules.</summary>
    public RelationNetwork Network { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => [];

    /// <inheritdoc />
    public override TaskGraph BuildMetaStep()
    {
        var w = new TaskGraphWriter("relationnet_meta_step", Model, Task);
        var g = w.Graph;
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var queryX = w.Examples(GraphNames.QueryX, GraphNames.QueryCount);
        var queryY = w.Targets(GraphNames.QueryY, GraphNames.QueryCount)!;

        var classes = Prototypes.Sum(g, Model.Forward(g, supportX, parameters), supportY);
        var scores = Network.Relations(g, Model.Forward(g, queryX, parameters), classes, parameters);
        var oneHot = Prototypes.OneHot(g, queryY, Prototypes.ClassCount(g, supportY));
        var loss = Losses.MeanSquaredError(g, scores, oneHot);
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
    /// <remarks>The embedding module runs once per support example; <paramref name="steps"/> does not apply.</remarks>
    public override TaskGraph BuildAdapt(int steps)
    {
        var w = new TaskGraphWriter("relationnet_adapt", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var classes = Prototypes.Sum(w.Graph, Model.Forward(w.Graph, supportX, parameters), supportY);
        w.Output(classes, GraphNames.Prototypes, ["classes", Model.OutputSize]);
        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <inheritdoc />
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter("relationnet_predict", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var classes = w.Input(GraphNames.Prototypes, DataType.Float, ["classes", Model.OutputSize]);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var scores = Network.Relations(w.Graph, Model.Forward(w.Graph, x, parameters), classes, parameters);
        w.Output(scores, GraphNames.Output, [GraphNames.QueryCount, "classes"]);
        return w.Finish(TaskGraphRole.Predict);
    }
}
