using FewShot.Sdk.Algorithms;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>The loss and metric of each <see cref="TaskKind"/>, as <c>TaskLoss</c> writes them into ONNX graphs.</summary>
internal static class TorchLosses
{
    /// <summary>Mean cross-entropy for classification; mean squared error against targets, or against the flattened inputs for reconstruction.</summary>
    public static torch.Tensor Loss(TaskKind kind, torch.Tensor prediction, torch.Tensor? targets, torch.Tensor inputs) => kind switch
    {
        TaskKind.Classification => cross_entropy(prediction, targets!),
        TaskKind.Regression => mse_loss(prediction, targets!),
        _ => mse_loss(prediction, inputs.flatten(1)),
    };

    /// <summary>Accuracy for classification (arg-max equal to the label), otherwise the loss; computed without a gradient.</summary>
    public static double Metric(TaskKind kind, torch.Tensor prediction, torch.Tensor? targets, torch.Tensor loss)
    {
        using var noGrad = torch.no_grad();
        return kind == TaskKind.Classification
            ? prediction.argmax(1).eq(targets!).to_type(torch.ScalarType.Float32).mean().item<float>()
            : loss.item<float>();
    }
}
