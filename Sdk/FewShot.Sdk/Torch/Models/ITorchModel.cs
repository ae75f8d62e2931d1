using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of a model description (<see cref="IFewShotModel"/>): a pure functional forward pass whose
/// parameters are explicit tensors, as torch.func.functional_call takes them, so an inner loop can differentiate
/// through updated parameters. Parity tests hold it equal to the description's ONNX lowering.
/// </summary>
/// <remarks>Stateless and thread-safe; tensors it returns belong to the caller's dispose scope.</remarks>
public interface ITorchModel
{
    /// <summary>The description this lowers; its <see cref="IFewShotModel.Parameters"/> fix the order of the parameter tensors.</summary>
    IFewShotModel Description { get; }

    /// <summary>The forward pass: [batch, …input shape] → [batch, <see cref="IFewShotModel.OutputSize"/>].</summary>
    /// <param name="parameters">One tensor per <see cref="IFewShotModel.Parameters"/> entry, in that order.</param>
    /// <param name="x">The batch.</param>
    torch.Tensor Forward(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);
}

/// <summary>The TorchSharp lowering of an <see cref="IHeadedModel"/>: Forward(x) = Head(Features(x)).</summary>
public interface ITorchHeadedModel : ITorchModel
{
    /// <summary>Positions of the head's tensors in the parameter list.</summary>
    IReadOnlyList<int> HeadIndices { get; }

    /// <summary>The body: [batch, …] → [batch, <see cref="IHeadedModel.FeatureSize"/>].</summary>
    torch.Tensor Features(IReadOnlyList<torch.Tensor> parameters, torch.Tensor x);

    /// <summary>The head over features: [batch, F] → [batch, <see cref="IFewShotModel.OutputSize"/>].</summary>
    torch.Tensor Head(IReadOnlyList<torch.Tensor> parameters, torch.Tensor features);
}
