using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of an <see cref="ISupportNormalizedModel"/> that normalizes by support statistics: a support
/// pass takes its batch's statistics, a statistics pass computes them, and the queries' pass takes given ones. Parity
/// tests hold them to the ONNX lowering.
/// </summary>
public interface ITorchSupportNormalizedModel : ITorchModel
{
    /// <summary>A support pass: each normalization layer takes the batch's own statistics.</summary>
    torch.Tensor ForwardOnSupport(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>A support pass through the body alone (a prototype head's start).</summary>
    torch.Tensor FeaturesOnSupport(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>The support statistics at <paramref name="parameters"/>, in <see cref="ISupportNormalizedModel.SupportStatistics"/> order (a pass up to the last normalization layer).</summary>
    torch.Tensor[] SupportStatisticsAt(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>A pass normalized by <paramref name="statistics"/> (a support pass's); every example by itself.</summary>
    torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, IReadOnlyList<torch.Tensor> statistics, torch.Tensor x);
}
