using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Siamese networks (Koch et al., 2015): a twin encoder learns to verify whether two examples show the same class,
/// from tasks of same and different pairs (<see cref="Training.PairTaskSource"/>: pair i is row i of the support and
/// the query set, "same" where their labels are equal), with the paper's weighted-L1 + sigmoid verification loss or
/// the contrastive loss (<see cref="SiameseLoss"/>). A new task is classified by the most similar support example:
/// adaptation stores the support embeddings and their labels, prediction compares each query with all of them and
/// gives each class its best match.
/// </summary>
public sealed class Siamese : MetaAlgorithm, IEmbeddingAdaptation
{
    // Masks out the similarities to other classes' examples before the per-class maximum; any similarity is far above it.
    private const double NotInClass = -1e30;

    /// <summary>Creates the algorithm over a twin network.</summary>
    public Siamese(SiameseNetwork network)
        : base(network, TaskKind.Classification)
    {
        Network = network;
    }

    /// <inheritdoc />
    public override string Name => Network.Loss == SiameseLoss.Verification ? "siamese" : "siamese-contrastive";

    /// <summary>The twin network.</summary>
    public SiameseNetwork Network { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptedParameters => [];

    /// <inheritdoc />
    /// <remarks>The loss is the mean over the task's pairs; the metric is verification accuracy (same predicted for a
    /// positive logit, or for a distance below half the margin).</remarks>
    public override TaskGraph BuildMetaStep()
    {
        var w = new TaskGraphWriter("siamese_meta_step", Model, Task);
        var g = w.Graph;
        var parameters = w.Parameters(Model.Parameters);
        var left = Model.Forward(g, w.Examples(GraphNames.SupportX, GraphNames.SupportCount), parameters);
        var leftY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var right = Model.Forward(g, w.Examples(GraphNames.QueryX, GraphNames.SupportCount), parameters);
        var rightY = w.Targets(GraphNames.QueryY, GraphNames.SupportCount)!;

        var similarity = Network.Similarity(g, g.Op("Sub", [left, right]), parameters);
        var same = g.Op("Cast", [g.Op("Equal", [leftY, rightY])], Attr.Int("to", (long)DataType.Float));
        string perPair;
        if (Network.Loss == SiameseLoss.Verification)
        {
            // Binary cross-entropy with the logit s and target "same": softplus(s) − same·s, stable for any s.
            perPair = g.Op("Sub", [g.Op("Softplus", [similarity]), g.Op("Mul", [same, similarity])]);
        }
        else
        {
            var distance = g.Op("Neg", [similarity]);
            var shortfall = g.Op("Relu", [g.Op("Sub", [g.Scalar(SiameseNetwork.Margin), distance])]);
            var different = g.Op("Sub", [g.Scalar(1), same]);
            perPair = g.Op("Add", [g.Op("Mul", [same, g.Op("Mul", [distance, distance])]), g.Op("Mul", [different, g.Op("Mul", [shortfall, shortfall])])]);
        }

        var loss = g.Op("ReduceMean", [perPair], Attr.Int("keepdims", 0));
        var gradients = Exporters.Autodiff.Gradients.Append(g, loss, Model.Parameters.Select(p => parameters[p.Name]).ToArray());
        var saysSame = g.Op("Cast", [g.Op("Greater", [similarity, g.Scalar(Threshold)])], Attr.Int("to", (long)DataType.Float));
        var correct = g.Op("Cast", [g.Op("Equal", [saysSame, same])], Attr.Int("to", (long)DataType.Float));

        w.Output(loss, GraphNames.Loss, []);
        w.Output(g.Op("ReduceMean", [correct], Attr.Int("keepdims", 0)), GraphNames.Metric, []);
        foreach (var parameter in Model.Parameters)
        {
            w.Output(gradients[parameters[parameter.Name]], GraphNames.Gradient(parameter.Name), parameter.Shape.Select(d => (Dim)d));
        }

        return w.Finish(TaskGraphRole.MetaStep);
    }

    /// <summary>The similarity above which a pair is called "same": logit 0, or distance m/2.</summary>
    internal double Threshold => Network.Loss == SiameseLoss.Verification ? 0 : -SiameseNetwork.Margin / 2;

    /// <inheritdoc />
    /// <remarks>One row per support example: its embedding, and its label as a float. <paramref name="steps"/> does not apply.</remarks>
    public override TaskGraph BuildAdapt(int steps)
    {
        var w = new TaskGraphWriter("siamese_adapt", Model, Task);
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        w.Output(Model.Forward(w.Graph, supportX, parameters), GraphNames.Prototypes, [GraphNames.SupportCount, Model.OutputSize]);
        w.Output(w.Graph.Op("Cast", [supportY], Attr.Int("to", (long)DataType.Float)), GraphNames.PrototypeLabels, [GraphNames.SupportCount]);
        return w.Finish(TaskGraphRole.Adapt);
    }

    /// <inheritdoc />
    /// <remarks>Output [n, N]: for each class, the largest similarity between the query and that class's support examples.</remarks>
    public override TaskGraph BuildPredict()
    {
        var w = new TaskGraphWriter("siamese_predict", Model, Task);
        var g = w.Graph;
        var parameters = w.Parameters(Model.Parameters);
        var examples = w.Input(GraphNames.Prototypes, DataType.Float, ["examples", Model.OutputSize]);
        var labels = w.Input(GraphNames.PrototypeLabels, DataType.Float, ["examples"]);
        var queries = Model.Forward(g, w.Examples(GraphNames.X, GraphNames.QueryCount), parameters);

        // [n, 1, D] − [1, M, D] → similarities [n, M]; membership [M, N] of each example in each class.
        var difference = g.Op("Sub", [g.Op("Unsqueeze", [queries, g.Int64s(1)]), g.Op("Unsqueeze", [examples, g.Int64s(0)])]);
        var similarity = Network.Similarity(g, difference, parameters);
        var classCount = g.Op("Add", [g.Op("ReduceMax", [labels], Attr.Int("keepdims", 1)), g.Scalar(1)]);
        var classes = g.Op("Range", [g.Scalar(0), g.Op("Squeeze", [classCount]), g.Scalar(1)]);
        var member = g.Op("Equal", [g.Op("Unsqueeze", [labels, g.Int64s(1)]), classes]);
        var masked = g.Op("Where", [g.Op("Unsqueeze", [member, g.Int64s(0)]), g.Op("Unsqueeze", [similarity, g.Int64s(2)]), g.Scalar(NotInClass)]);
        w.Output(g.Op("ReduceMax", [masked], Attr.Ints("axes", 1), Attr.Int("keepdims", 0)), GraphNames.Output, [GraphNames.QueryCount, "classes"]);
        return w.Finish(TaskGraphRole.Predict);
    }
}
