using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>The loss and the reported metric of each <see cref="TaskKind"/>.</summary>
internal static class TaskLoss
{
    /// <summary>Cross-entropy for classification; mean squared error against the targets, or against the flattened inputs for reconstruction.</summary>
    public static string Loss(GraphBuilder g, TaskKind kind, string prediction, string? targets, string inputs) => kind switch
    {
        TaskKind.Classification => Losses.SoftmaxCrossEntropy(g, prediction, targets!),
        TaskKind.Regression => Losses.MeanSquaredError(g, prediction, targets!),
        _ => Losses.MeanSquaredError(g, prediction, g.Op("Flatten", [inputs], Attr.Int("axis", 1))),
    };

    /// <summary>Accuracy (fraction of arg-max predictions equal to the label) for classification; otherwise the loss itself.</summary>
    public static string Metric(GraphBuilder g, TaskKind kind, string prediction, string? targets, string loss)
    {
        if (kind != TaskKind.Classification)
        {
            return loss;
        }

        var predicted = g.Op("ArgMax", [prediction], Attr.Int("axis", 1), Attr.Int("keepdims", 0));
        var correct = g.Op("Cast", [g.Op("Equal", [predicted, targets!])], Attr.Int("to", (long)DataType.Float));
        return g.Op("ReduceMean", [correct], Attr.Int("keepdims", 0));
    }
}
