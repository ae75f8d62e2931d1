using FewShot.Sdk.Torch;
using TorchSharp;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// libtorch's MKL is asked for products that do not depend on where the allocator puts their inputs
/// (BlasReproducibility). The effect itself shows in MannTests.PretrainingTrainsTheEncoderAloneByThePrototypeLoss, which
/// compares two identical MANN steps to the last bits: it failed in 3 of 5 full runs of this project without the
/// setting. A product alone at 16 alignments (1×50 by 50×160, 2×67 by 67×160, 75×200 by 200×64) gave the same bits
/// with and without it, so no smaller test stands for it here.
/// </summary>
public sealed class BlasReproducibilityTests
{
    [Fact]
    public void MklIsAskedForReproducibleProductsBeforeItRuns()
    {
        TorchSetup.Initialize();
        Assert.Equal(Environment.GetEnvironmentVariable(BlasReproducibility.Variable) ?? BlasReproducibility.Mode, BlasReproducibility.Current());
    }
}
