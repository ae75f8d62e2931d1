using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using FewShot.Runtime.Sessions;

namespace FewShot.Runtime;

/// <summary>Whether ONNX Runtime's CUDA provider can run on this machine, and if not, what is missing.</summary>
/// <remarks>Thread-safe. Linux names; the check loads libraries into the process but starts no GPU work.</remarks>
public static class CudaSupport
{
    /// <summary>The shared libraries that ONNX Runtime 1.32's CUDA provider needs, with where each comes from.</summary>
    public static IReadOnlyList<(string Library, string Source)> RequiredLibraries { get; } =
    [
        ("libcuda.so.1", "the NVIDIA driver"),
        ("libcudart.so.13", "the CUDA 13 runtime (cuda-cudart-13)"),
        ("libcublas.so.13", "CUDA 13 cuBLAS (libcublas-13)"),
        ("libcublasLt.so.13", "CUDA 13 cuBLAS (libcublas-13)"),
        ("libcurand.so.10", "CUDA 13 cuRAND (libcurand-13)"),
        ("libcudnn.so.9", "cuDNN 9 for CUDA 13 (libcudnn9-cuda-13)"),
    ];

    /// <summary>Checks the provider: listed by ONNX Runtime, and every library it needs loadable.</summary>
    /// <returns>What was found; <see cref="CudaStatus.IsAvailable"/> says whether a CUDA device can be asked for.</returns>
    /// <exception cref="ExecutionDeviceException">ONNX Runtime's native library does not load (no native package referenced); the message says which to add.</exception>
    public static CudaStatus Check()
    {
        bool providerBuilt = ProviderInPackage(OnnxRuntimeEnvironment.EnsureCreated(ExecutionDevice.Cuda()));
        var missing = new List<string>();
        foreach ((string library, string source) in RequiredLibraries)
        {
            if (!NativeLibrary.TryLoad(library, out nint handle))
            {
                missing.Add($"{library} ({source})");
                continue;
            }

            NativeLibrary.Free(handle);
        }

        return new CudaStatus(providerBuilt, missing);
    }

    /// <summary>Whether the loaded ONNX Runtime has a CUDA provider (the GPU package) or not (the CPU-only package).</summary>
    internal static bool ProviderInPackage(OrtEnv env) => env.GetAvailableProviders().Contains("CUDAExecutionProvider");
}
