using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Torch.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>Proto-MAML's head start, as <c>PrototypeHead</c> writes it into ONNX graphs: weight + 2c, bias − ‖c‖² from the support's class prototypes c.</summary>
internal static class TorchPrototypeHead
{
    /// <summary>
    /// A copy of <paramref name="parameters"/> whose head starts from the prototypes of the support's features under
    /// <paramref name="parameters"/>; the result stays differentiable in every parameter (second-order meta-gradients
    /// flow through the prototypes into the body).
    /// </summary>
    /// <param name="model">The headed lowering.</param>
    /// <param name="parameters">The model's parameters.</param>
    /// <param name="features">The support's features under <paramref name="parameters"/> [n, F] (a support pass's, with support normalization).</param>
    /// <param name="supportY">Support labels [n] int64.</param>
    /// <param name="classes">The head's size N; a class with no example gets a zero prototype and is pushed out of reach.</param>
    public static torch.Tensor[] Start(ITorchHeadedModel model, IReadOnlyList<torch.Tensor> parameters, torch.Tensor features, torch.Tensor supportY, long classes)
    {
        var prototypes = TorchPrototypes.Mean(features, supportY, classes, out var counts);
        var start = parameters.ToArray();
        var (weight, bias) = (model.HeadIndices[0], model.HeadIndices[1]);
        start[weight] = start[weight] + (prototypes * 2);
        start[bias] = start[bias] - prototypes.mul(prototypes).sum(dim: 1) - (counts.eq(0).to_type(features.dtype) * PrototypeHead.AbsentClassBias);
        return start;
    }
}
