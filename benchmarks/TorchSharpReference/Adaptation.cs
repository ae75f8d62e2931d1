using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace FewShot.Benchmarks.TorchSharp;

/// <summary>
/// The adaptation work of benchmarks/adapt_torch.py, row for row, in TorchSharp: SGD steps without keeping the graph
/// (deployment needs no second order), ANIL's body once without gradients, ProtoNets' class means, predictions under
/// no_grad. Every step runs in its own dispose scope, as TorchSharp's docs advise, so native memory is freed at once.
/// Returned tensors belong to the caller.
/// </summary>
internal static class Adaptation
{
    public const int Ways = 5;
    public const float InnerLearningRate = 0.4f;

    public static Tensor[] Maml(Tensor[] parameters, Tensor support, Tensor labels, int steps, bool strided = false) =>
        Sgd(parameters, fast => F.cross_entropy(strided ? Conv4.StridedForward(fast, support) : Conv4.Forward(fast, support), labels), steps);

    /// <summary>MAML's steps on conv4 with group norm (<see cref="Conv4.GroupForward"/>).</summary>
    public static Tensor[] MamlGroupNorm(Tensor[] parameters, Tensor support, Tensor labels, int steps, bool channelsLast) =>
        Sgd(parameters, fast => F.cross_entropy(Conv4.GroupForward(fast, support, channelsLast), labels), steps);

    public static Tensor[] Anil(Tensor[] parameters, Tensor support, Tensor labels, int steps)
    {
        using var scope = NewDisposeScope();
        Tensor features;
        using (no_grad())
        {
            features = Conv4.Body(parameters, support);
        }

        var head = Sgd(parameters[16..], h => F.cross_entropy(F.linear(features, h[0], h[1]), labels), steps);
        return [.. parameters[..16], .. head.Select(h => h.MoveToOuterDisposeScope())];
    }

    public static Tensor Prototypes(Tensor[] encoder, Tensor support, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var embeddings = Conv4.Body(encoder, support);
        return stack(Enumerable.Range(0, Ways).Select(c => embeddings[labels == c].mean([0])).ToArray()).MoveToOuterDisposeScope();
    }

    public static Tensor Predict(Tensor[] parameters, Tensor query, bool strided = false)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return (strided ? Conv4.StridedForward(parameters, query) : Conv4.Forward(parameters, query)).softmax(1).MoveToOuterDisposeScope();
    }

    public static Tensor PredictPrototypes(Tensor[] encoder, Tensor prototypes, Tensor query)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return (-cdist(Conv4.Body(encoder, query), prototypes).pow(2)).softmax(1).MoveToOuterDisposeScope();
    }

    private static Tensor[] Sgd(Tensor[] parameters, Func<Tensor[], Tensor> loss, int steps)
    {
        var fast = parameters.Select(p => p.detach().requires_grad_()).ToArray();
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var gradients = autograd.grad([loss(fast)], fast);
            var next = fast.Zip(gradients, (p, g) => (p - (InnerLearningRate * g)).detach().requires_grad_().MoveToOuterDisposeScope()).ToArray();
            foreach (var p in fast)
            {
                p.Dispose();
            }

            fast = next;
        }

        return fast.Select(p => p.requires_grad_(false)).ToArray();
    }
}
