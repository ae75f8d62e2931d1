namespace FewShot.Runtime;

/// <summary>The result of <see cref="CudaSupport.Check"/>. Immutable.</summary>
/// <param name="ProviderInPackage">
/// Whether the loaded ONNX Runtime has a CUDA provider: true with Microsoft.ML.OnnxRuntime.Gpu.Linux, false with the
/// CPU-only Microsoft.ML.OnnxRuntime.
/// </param>
/// <param name="MissingLibraries">The libraries the provider needs that did not load, each with where it comes from.</param>
public sealed record CudaStatus(bool ProviderInPackage, IReadOnlyList<string> MissingLibraries)
{
    /// <summary>Whether a CUDA device can be asked for (a GPU must also be present: ONNX Runtime checks that at load).</summary>
    public bool IsAvailable => ProviderInPackage && MissingLibraries.Count == 0;

    /// <summary>One sentence for people: what is missing and how to get it, or that CUDA is usable.</summary>
    public string Describe()
    {
        if (!ProviderInPackage)
        {
            return "the loaded ONNX Runtime has no CUDA provider: the application references Microsoft.ML.OnnxRuntime (CPU only); "
                + "reference Microsoft.ML.OnnxRuntime.Gpu.Linux 1.32.0 instead";
        }

        return MissingLibraries.Count == 0
            ? "the CUDA provider and the libraries it needs load"
            : $"the CUDA provider needs libraries that do not load: {string.Join(", ", MissingLibraries)}; install them "
                + "(NVIDIA's CUDA 13 and cuDNN 9 packages) or add their folder to LD_LIBRARY_PATH";
    }

    /// <summary>The same sentence as <see cref="Describe"/>, so that printing or logging the status reads as it.</summary>
    public override string ToString() => Describe();
}
