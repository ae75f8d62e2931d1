using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FewShot.Runtime.Interop;

/// <summary>
/// The process-wide ONNX Runtime state: the loaded library, its <see cref="OrtApi"/> table, the one <c>OrtEnv</c>, the
/// CPU memory description and the default allocator; plus <see cref="ThrowIfFailed"/>, the one status check.
/// </summary>
/// <remarks>
/// Everything is created lazily and once, on first use, under a lock (<see cref="LazyThreadSafetyMode.ExecutionAndPublication"/>);
/// a failure to load is cached and rethrown to every later caller. Nothing here is ever released: ORT's environment
/// must outlive every session, and the process's exit is the natural end of all of them.
/// </remarks>
internal static unsafe class OrtNative
{
    private const int LoggingLevelWarning = 2;   // ORT_LOGGING_LEVEL_WARNING
    private const int DeviceAllocator = 0;       // OrtDeviceAllocator
    private const int MemTypeDefault = 0;        // OrtMemTypeDefault

    private static readonly Lazy<LoadedLibrary> s_library = new(LoadLibrary, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<ProcessObjects> s_process = new(CreateProcessObjects, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The function table; loads ONNX Runtime on first use.</summary>
    public static OrtApi Api => s_library.Value.Api;

    /// <summary>Full path of the loaded library.</summary>
    public static string LibraryPath => s_library.Value.Path;

    /// <summary>ONNX Runtime's own version string, e.g. "1.30.0".</summary>
    public static string Version => s_library.Value.Version;

    /// <summary>The process-wide environment (logging at warning level), created on first use.</summary>
    public static EnvHandle Env => s_process.Value.Env;

    /// <summary>Describes ordinary CPU memory, for tensors over managed buffers.</summary>
    public static MemoryInfoHandle CpuMemoryInfo => s_process.Value.CpuMemoryInfo;

    /// <summary>ORT's default CPU allocator (<c>OrtAllocator*</c>), owned by ORT and valid for the life of the process.</summary>
    public static nint DefaultAllocator => s_process.Value.DefaultAllocator;

    /// <summary>Turns a failed <c>OrtStatus*</c> into an <see cref="OnnxRuntimeException"/>; does nothing for success (zero).</summary>
    /// <param name="status">The status a C API call returned; a non-zero status is released here.</param>
    /// <exception cref="OnnxRuntimeException">The status reports a failure.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ThrowIfFailed(nint status)
    {
        if (status != 0)
        {
            throw ToException(status);
        }
    }

    /// <summary>Reads the code and message of a failed status, then releases it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static OnnxRuntimeException ToException(nint status)
    {
        OrtApi api = Api;
        try
        {
            var code = (OrtErrorCode)api.GetErrorCode(status);
            string message = Marshal.PtrToStringUTF8((nint)api.GetErrorMessage(status)) ?? string.Empty;
            return new OnnxRuntimeException(code, message);
        }
        finally
        {
            api.ReleaseStatus(status);
        }
    }

    private static LoadedLibrary LoadLibrary()
    {
        (nint handle, string path) = OrtLibraryLoader.Load();
        try
        {
            if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out nint getApiBase))
            {
                throw new EntryPointNotFoundException($"{path} does not export OrtGetApiBase, so it is not ONNX Runtime.");
            }

            // const OrtApiBase* OrtGetApiBase(void); OrtApiBase = { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
            nint* apiBase = ((delegate* unmanaged[Cdecl]<nint*>)getApiBase)();
            var getApi = (delegate* unmanaged[Cdecl]<uint, nint*>)apiBase[0];
            var getVersionString = (delegate* unmanaged[Cdecl]<byte*>)apiBase[1];
            string version = Marshal.PtrToStringUTF8((nint)getVersionString()) ?? "unknown";

            nint* table = getApi(OrtApi.RequestedVersion);
            if (table == null)
            {
                throw new NotSupportedException(
                    $"ONNX Runtime {version} at {path} does not offer C API version {OrtApi.RequestedVersion}, which FewShot needs "
                    + $"(ONNX Runtime 1.11 or newer; FewShot is built and tested against 1.30.0). Point {OrtLibraryLoader.PathVariable} "
                    + "at an ONNX Runtime 1.30 libonnxruntime.so.1, or unset it to use the copy that the build provides.");
            }

            string realPath = OrtLibraryLoader.FindMappedFile(getApiBase) ?? path;
            return new LoadedLibrary(new OrtApi(table), realPath, version);
        }
        catch
        {
            NativeLibrary.Free(handle);
            throw;
        }
    }

    private static ProcessObjects CreateProcessObjects()
    {
        // The environment first: ORT logs through it, and several calls fail without one.
        var environment = new EnvHandle(LoggingLevelWarning, "FewShot");
        var cpuMemoryInfo = new MemoryInfoHandle(DeviceAllocator, MemTypeDefault);
        nint allocator;
        ThrowIfFailed(Api.GetAllocatorWithDefaultOptions(&allocator));
        return new ProcessObjects(environment, cpuMemoryInfo, allocator);
    }

    private sealed record LoadedLibrary(OrtApi Api, string Path, string Version);

    private sealed record ProcessObjects(EnvHandle Env, MemoryInfoHandle CpuMemoryInfo, nint DefaultAllocator);
}
