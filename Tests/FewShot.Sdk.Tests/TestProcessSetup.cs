using System.Runtime.CompilerServices;
using FewShot.Sdk.Torch;

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
}
