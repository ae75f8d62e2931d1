using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// <see cref="TorchGradients"/>: the gradients libtorch gives, and an exception (where TorchSharp's own autograd.grad
/// ended the process) for an input that takes no part in the loss and for a loss that requires no gradient.
/// </summary>
public sealed class TorchGradientsTests
{
    [Fact]
    public void GivesEachInputsGradientInOrder()
    {
        TorchSetup.Initialize();
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new[] { 1f, 2f, 3f }, requires_grad: true);
        var b = torch.tensor(new[] { 4f, 5f }, requires_grad: true);
        var loss = (a * a).sum() + (3 * b).sum();

        var gradients = TorchGradients.Of(loss, [a, b]);

        Assert.Equal([2f, 4f, 6f], gradients[0].data<float>().ToArray());
        Assert.Equal([3f, 3f], gradients[1].data<float>().ToArray());
    }

    [Fact]
    public void SecondOrderWithCreateGraph()
    {
        TorchSetup.Initialize();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 2f }, requires_grad: true);
        var first = TorchGradients.Of((x * x * x).sum(), [x], createGraph: true)[0];

        var second = TorchGradients.Of(first.sum(), [x])[0];

        Assert.Equal(12f, first.item<float>());
        Assert.Equal(12f, second.item<float>());
    }

    [Fact]
    public void AnInputOutsideTheLossIsRefusedByPosition()
    {
        TorchSetup.Initialize();
        using var scope = torch.NewDisposeScope();
        var used = torch.ones(3, requires_grad: true);
        var unused = torch.ones(2, 4, requires_grad: true);

        var e = Assert.Throws<InvalidOperationException>(() => TorchGradients.Of((used * 2).sum(), [used, unused]));

        Assert.Contains("Input 1 of 2 (shape [2, 4]) takes no part in the loss", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALossWithoutGradientIsRefused()
    {
        TorchSetup.Initialize();
        using var scope = torch.NewDisposeScope();
        var constant = torch.ones(3);
        var parameter = torch.ones(3, requires_grad: true);

        var e = Assert.Throws<InvalidOperationException>(() => TorchGradients.Of(constant.sum(), [parameter]));

        Assert.Contains("depends on no tensor that requires gradients", e.Message, StringComparison.Ordinal);
    }
}
