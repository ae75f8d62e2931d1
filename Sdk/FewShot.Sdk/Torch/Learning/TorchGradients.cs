using TorchSharp;

namespace FewShot.Sdk.Torch.Learning;

/// <summary>
/// libtorch's <c>autograd.grad</c>, with the failures TorchSharp 0.107 cannot report turned into exceptions: its native
/// grad does not catch libtorch's errors, so an input that takes no part in the loss, or a loss that depends on nothing
/// that requires gradients, ended the process with std::terminate (tried on 2026-12-05: "element 1 of the differentiated
/// Tensors appears to not have been used in the graph", exit 134). Here libtorch is asked to allow unused inputs and the
/// undefined gradients it then returns are refused by position, and the loss is checked before the call. Other libtorch
/// errors (a second pass through a freed graph, say) still end the process; the graph is therefore kept by default when
/// the gradients' own graph is recorded, as PyTorch does (TorchSharp's default frees it).
/// </summary>
public static class TorchGradients
{
    /// <summary>The gradients of <paramref name="loss"/> with respect to each of <paramref name="inputs"/>, in order.</summary>
    /// <param name="loss">A scalar that depends on every input.</param>
    /// <param name="inputs">The tensors to differentiate by; each must take part in the loss.</param>
    /// <param name="retainGraph">Keep the graph for a later differentiation through it; by default when <paramref name="createGraph"/>.</param>
    /// <param name="createGraph">Record the gradients' own graph (second-order derivatives).</param>
    /// <exception cref="InvalidOperationException">The loss requires no gradient, or an input takes no part in it (named by position and shape).</exception>
    public static IList<torch.Tensor> Of(torch.Tensor loss, IList<torch.Tensor> inputs, bool? retainGraph = null, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!loss.requires_grad)
        {
            throw new InvalidOperationException("The loss depends on no tensor that requires gradients, so it has no gradient to take.");
        }

        IList<torch.Tensor> gradients = torch.autograd.grad([loss], inputs, retain_graph: retainGraph ?? createGraph, create_graph: createGraph, allow_unused: true);
        for (var i = 0; i < gradients.Count; i++)
        {
            if (gradients[i] is null || gradients[i].IsInvalid)
            {
                throw new InvalidOperationException(
                    $"Input {i} of {inputs.Count} (shape [{string.Join(", ", inputs[i].shape)}]) takes no part in the loss, so it has no gradient; every trained tensor must reach the loss.");
            }
        }

        return gradients;
    }
}
