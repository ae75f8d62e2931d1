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

    /// <summary>
    /// True when one pass over the tasks is faster than one per task even with a single libtorch thread; false when it
    /// pays only by giving more threads larger kernels to share.
    /// </summary>
    bool PaysOnOneThread { get; }

    /// <summary>[T, N, …input] → [T, N, output], task t computed with parameters [t].</summary>
    torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>[T, N, …input] → [T, N, features] (the body).</summary>
    torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>[T, N, features] → [T, N, output] (the head).</summary>
    torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features);
}

/// <summary>
/// The task-batched lowering of a model that normalizes by support statistics (<see cref="ITorchSupportNormalizedModel"/>
/// over T tasks): each task's statistics are its own support's.
/// </summary>
public interface ITorchBatchedSupportNormalizedModel : ITorchBatchedModel
{
    /// <summary>A support pass: [T, N, …input] → [T, N, output], each task normalized by its own batch's statistics.</summary>
    torch.Tensor ForwardOnSupport(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>Each task's support statistics at its parameters, each tensor [T, C], in <see cref="ISupportNormalizedModel.SupportStatistics"/> order.</summary>
    torch.Tensor[] SupportStatisticsAt(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>A pass normalized by <paramref name="statistics"/> (each [T, C]): [T, N, …input] → [T, N, output].</summary>
    torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, IReadOnlyList<torch.Tensor> statistics, torch.Tensor x);
}

/// <summary>Finds the task-batched lowering of a model description, where it has one.</summary>
public static class TorchBatchedModels
{
    /// <summary>The batched lowering of <paramref name="model"/>, or null when it has none.</summary>
    /// <remarks>The MLP and conv4 have one (conv4's as grouped convolutions, tasks as channel groups).</remarks>
    public static ITorchBatchedModel? Lower(IFewShotModel model) => model switch
    {
        Mlp mlp => new TorchBatchedMlp(mlp),
        Conv4 conv4 => new TorchBatchedConv4(conv4),
        _ => null,
    };

    /// <summary>Per-task linear layers: [T, N, in] · [T, out, in]ᵀ + [T, out] → [T, N, out].</summary>
    internal static torch.Tensor Linear(torch.Tensor x, torch.Tensor weight, torch.Tensor bias) =>
        x.bmm(weight.transpose(1, 2)) + bias.unsqueeze(1);
}
