using FewShot.Runtime.Interop;

namespace FewShot.Runtime;

/// <summary>Facts about the ONNX Runtime that FewShot uses, for diagnostics such as <c>fewshot info</c>. Thread-safe.</summary>
/// <remarks>
/// The first access loads the native library (see <see cref="LibraryPathVariable"/> for how it is found); a failure to
/// load surfaces as <see cref="DllNotFoundException"/> with the paths that were tried and how to fix it.
/// </remarks>
public static class OnnxRuntime
{
    /// <summary>The environment variable that names an ONNX Runtime library to load instead of the bundled one.</summary>
    public const string LibraryPathVariable = OrtLibraryLoader.PathVariable;

    /// <summary>The version the library reports, e.g. "1.30.0".</summary>
    public static string Version => OrtNative.Version;

    /// <summary>Full path of the loaded native library.</summary>
    public static string LibraryPath => OrtNative.LibraryPath;

    /// <summary>The C API version FewShot requests from the library (the oldest that has every function it calls).</summary>
    public static int ApiVersion => (int)OrtApi.RequestedVersion;

    /// <summary>
    /// Execution providers compiled into the library, e.g. "CUDAExecutionProvider", "CPUExecutionProvider". A provider
    /// listed here may still fail to start when its own library or drivers are missing.
    /// </summary>
    /// <returns>A fresh list on every call.</returns>
    public static IReadOnlyList<string> AvailableProviders
    {
        get
        {
            using var providers = new AvailableProvidersHandle();
            return providers.ToArray();
        }
    }
}
