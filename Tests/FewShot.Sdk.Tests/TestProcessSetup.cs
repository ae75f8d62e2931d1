using System.Runtime.CompilerServices;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Torch.Learning;

namespace FewShot.Sdk.Tests;

/// <summary>What the process asks of libtorch before any test touches it, as the trainer's first TorchSetup call does.</summary>
internal static class TestProcessSetup
{
    /// <summary>
    /// MKL reads its reproducibility mode once; a test that runs a product through TorchSharp before any
    /// TorchSetup.Initialize would otherwise leave the process without it (MannTests compares steps to the last bit).
    /// </summary>
    [ModuleInitializer]
    internal static void AskForReproducibleProducts() => BlasReproducibility.Request();

    /// <summary>
    /// Makes the trainer's choice about libtorch's oneDNN convolutions (LibTorchOneDnn) before any test runs one
    /// outside the trainer: a second-order conv4 MAML meta-batch through TorchMetaBatch, which compares oneDNN with
    /// libtorch's own kernels and turns it off for the process where they disagree.
    /// </summary>
    [ModuleInitializer]
    internal static void ChooseLibTorchsConvolutionsAsTheTrainerDoes()
    {
        TorchSetup.Initialize();
        var (algorithm, values, task) = Torch.LearnerParityTests.Setup("maml-conv4");
        using var batch = new TorchMetaBatch(TorchLearners.Create(algorithm));
        batch.Run(values, [task], values.Select(v => new float[v.Length]).ToArray());
    }
}
