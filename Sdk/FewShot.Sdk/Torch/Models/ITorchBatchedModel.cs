using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// A TorchSharp lowering that runs T tasks at once, each with its own parameters: every parameter tensor carries a
/// leading task dimension [T, …shape] and the input is [T, N, …]. Each task's output equals the single-task
/// lowering's on its own parameters and batch (batch-norm statistics stay per task), so a meta-batch's inner loops
/// run as one forward and one backward pass instead of T of each.
/// </summary>
public interface ITorchBatchedModel
{
    /// <summary>Positions of the head's tensors in the parameter list (empty without a head).</summary>
    IReadOnlyList<int> HeadIndices { get; }

    /// <summary>[T, N, …input] → [T, N, output], task t computed with parameters [t].</summary>
    torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>[T, N, …input] → [T, N, features] (the body).</summary>
    torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>[T, N, features] → [T, N, output] (the head).</summary>
    torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features);
}

/// <summary>Finds the task-batched lowering of a model description, where it has one.</summary>
public static class TorchBatchedModels
{
    /// <summary>The batched lowering of <paramref name="model"/>, or null when it has none.</summary>
    /// <remarks>
    /// The MLP has one. conv4 has none: written with grouped convolutions (tasks as channel groups), its inner-loop
    /// weight gradients differed from the per-task convolutions' by 1.5e-3 relative under libtorch 2.10, beyond the
    /// parity bound, while the per-task lowering agrees with the ONNX graphs to 3e-6.
    /// </remarks>
    public static ITorchBatchedModel? Lower(IFewShotModel model) => model switch
    {
        Mlp mlp => new TorchBatchedMlp(mlp),
        _ => null,
    };

    /// <summary>Per-task linear layers: [T, N, in] · [T, out, in]ᵀ + [T, out] → [T, N, out].</summary>
    internal static torch.Tensor Linear(torch.Tensor x, torch.Tensor weight, torch.Tensor bias) =>
        x.bmm(weight.transpose(1, 2)) + bias.unsqueeze(1);
}
