using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Prototypical Networks (Snell et al., 2017): an encoder embeds the support set once, each class is the mean of its
/// embeddings, and queries are classified by softmax over negative squared distances. Adaptation is the
/// prototypes; no gradient steps. The encoder's output is the embedding (Conv4 with no head).
/// </summary>
public sealed class ProtoNet : MetaAlgorithm, IEmbeddingAdaptation
{
    private readonly string _name;

    /// <summary>Creates the algorithm over an encoder.</summary>
    /// <param name="encoder">The embedding network.</param>
    /// <param name="name">The name runs and bundles record: "protonet", or that of a method that trains ProtoNets on its own tasks (CACTUs: "cactus").</param>
    public ProtoNet(IFewShotModel encoder, string name = "protonet")
        : base(encoder, TaskKind.Classification)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
    }

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => [];

    /// <inheritdoc />
    public override TaskGraph BuildMetaStep()
    {
        var w = new TaskGraphWriter("protonet_meta_step", Model, Task);
        var g = w.Graph;
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var queryX = w.Examples(GraphNames.QueryX, GraphNames.QueryCount);
        var queryY = w.Targets(GraphNames.QueryY, GraphNames.QueryCount)!;

        var prototypes = Prototypes.Mean(g, Model.Forward(g, supportX, parameters), supportY);
        var logits = Prototypes.Logits(g, Model.Forward(g, queryX, parameters), prototypes);
        var loss = TaskLoss.Loss(g, Task, logits, queryY, queryX);
        var gradients = Gradients.Append(g, loss, Model.Parameters.Select(p => parameters[p.Name]).ToArray());

        w.Output(loss, GraphNames.Loss, []);
        w.Output(TaskLoss.Metric(g, Task, logits, queryY, loss), GraphNames.Metric, []);
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
        var w = new TaskGraphWriter("protonet_adapt", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var prototypes = Prototypes.Mean(w.Graph, Model.Forward(w.Graph, supportX, parameters), supportY);
        w.Output(prototypes, GraphNames.Prototypes, ["classes", Model.OutputSize]);
        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <inheritdoc />
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter("protonet_predict", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var prototypes = w.Input(GraphNames.Prototypes, Exporters.Onnx.TensorProto.Types.DataType.Float, ["classes", Model.OutputSize]);
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var logits = Prototypes.Logits(w.Graph, Model.Forward(w.Graph, x, parameters), prototypes);
        w.Output(logits, GraphNames.Output, [GraphNames.QueryCount, "classes"]);
        return w.Finish(TaskGraphRole.Predict);
    }
}
