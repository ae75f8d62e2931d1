using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of an <see cref="ISupportNormalizedModel"/> that normalizes by support statistics: a support
/// pass records its batch's statistics, and the queries' pass takes given ones. Parity tests hold both to the ONNX lowering.
/// </summary>
public interface ITorchSupportNormalizedModel : ITorchModel
{
    /// <summary>A support pass: each normalization layer takes the batch's own statistics; returns the output and those statistics, in <see cref="ISupportNormalizedModel.SupportStatistics"/> order.</summary>
    (torch.Tensor Output, torch.Tensor[] Statistics) ForwardOnSupport(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>A pass normalized by <paramref name="statistics"/> (a support pass's); every example by itself.</summary>
    torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, IReadOnlyList<torch.Tensor> statistics, torch.Tensor x);
}
