using FewShot.Sdk.Torch;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>The check that keeps libtorch's oneDNN convolutions only where they compute what libtorch's own kernels do.</summary>
public sealed class LibTorchOneDnnTests
{
    [Fact]
    public void TheDifferenceIsRelativeToTheReferenceAndNaNWhenEitherSideIsNotFinite()
    {
        float[][] reference = [[3, 0], [4]];

        Assert.Equal(0, LibTorchOneDnn.RelativeDifference(reference, reference));
        Assert.Equal(0.2, LibTorchOneDnn.RelativeDifference([[3, 1], [4]], reference), 12);
        Assert.True(double.IsNaN(LibTorchOneDnn.RelativeDifference([[float.NaN, 0], [4]], reference)));
        Assert.True(double.IsNaN(LibTorchOneDnn.RelativeDifference(reference, [[3, float.PositiveInfinity], [4]])));
        Assert.False(LibTorchOneDnn.RelativeDifference([[3, 1], [4]], reference) <= LibTorchOneDnn.Tolerance);
    }

    [Fact]
    public void TheTestProcessMadeTheTrainersChoiceAndSaysWhyWhenItTurnedOneDnnOff()
    {
        // TestProcessSetup ran a conv4 MAML meta-batch through the check: oneDNN is off exactly when it was rejected
        // (on this project's AMD Zen 5 machine it is; on the Zen 4 machine of earlier sessions it agreed).
        Assert.Equal(LibTorchOneDnn.Rejection is null, LibTorchOneDnn.Enabled);
        Assert.False(LibTorchOneDnn.NeedsCheck && LibTorchOneDnn.Rejection is not null);
        if (LibTorchOneDnn.Rejection is { } why)
        {
            Assert.Contains("maml's first meta-batch", why);
        }
    }
}
