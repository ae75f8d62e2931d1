using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Runtime;

/// <summary>
/// ONNX Runtime's process-wide environment, created once with FewShot's settings before any session: ONNX Runtime's
/// telemetry is off, so that nothing is written outside the app's folders (ONNX Runtime 1.32 otherwise keeps a device id
/// and an event database under <c>~/.cache/Microsoft/DeveloperTools/.onnxruntime/</c> and a session file in the
/// temporary folder, from every process). Set the environment variable <c>ORT_DISABLE_TELEMETRY=0</c> before start
/// to leave it on.
/// </summary>
/// <remarks>
/// Every FewShot entry point calls <see cref="EnsureCreated()"/>. An application that creates ONNX Runtime sessions of its
/// own before loading a bundle should call it first: ONNX Runtime reads the setting once, when its environment is created.
/// The environment also holds the CPU memory arena that FewShot's sessions share; an application's own sessions use it
/// only if they set <c>session.use_env_allocators</c>, and an application that registered a CPU allocator first has
/// FewShot's sessions share that one.
/// Thread-safe.
/// </remarks>
public static partial class OnnxRuntimeEnvironment
{
    private const string TelemetryVariable = "ORT_DISABLE_TELEMETRY";

    /// <summary>The session option by which a session takes its CPU buffers from the environment's shared arena.</summary>
    internal const string UseSharedArenaKey = "session.use_env_allocators";

    /// <summary>The shared CPU arena's first chunk (64 MB of address space; resident only as written).</summary>
    internal const int InitialArenaChunkBytes = 64 << 20;

    private static readonly Lazy<OrtEnv> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The version of ONNX Runtime's managed API that FewShot.Runtime runs on, which the native package must match ("1.32.0").</summary>
    internal static string ManagedVersion => typeof(OrtEnv).Assembly.GetName().Version?.ToString(3) ?? "of the managed API";

    /// <summary>Creates the environment if nothing has yet; later calls cost a volatile read.</summary>
    /// <returns>ONNX Runtime's environment.</returns>
    /// <exception cref="ExecutionDeviceException">
    /// ONNX Runtime's native library does not load: most often the application references no native ONNX Runtime package
    /// (Microsoft.ML.OnnxRuntime or Microsoft.ML.OnnxRuntime.Gpu.Linux); the message says which to add.
    /// </exception>
    public static OrtEnv EnsureCreated() => EnsureCreated(ExecutionDevice.Cpu);

    /// <summary>Creates the environment if nothing has yet, for a session on <paramref name="device"/>.</summary>
    /// <exception cref="ExecutionDeviceException">ONNX Runtime's native library does not load; the exception names <paramref name="device"/>.</exception>
    internal static OrtEnv EnsureCreated(ExecutionDevice device)
    {
        try
        {
            return Instance.Value;
        }
        catch (Exception e) when (LoadError(e) is { } loadError)
        {
            // The managed API finds no native library when it first calls into it: .NET's DllNotFoundException, inside
            // the TypeInitializationException of ONNX Runtime's NativeMethods, says nothing of the package that is missing.
            throw ExecutionDeviceException.OnnxRuntimeMissing(device, loadError, FindNativeLibrary());
        }
    }

    /// <summary>
    /// Starts creating the environment on the thread pool, unless it exists, so that loading ONNX Runtime's library
    /// (about 50 ms at a process's start) overlaps what the caller does meanwhile: Load reads, hashes and checks the
    /// bundle's entries before its first session needs the environment. A failure is kept by the lazy value and thrown
    /// to the next <see cref="EnsureCreated()"/>, where it would have been thrown anyway.
    /// </summary>
    internal static void StartCreating()
    {
        if (!Instance.IsValueCreated)
        {
            _ = Task.Run(static () =>
            {
                try
                {
                    _ = Instance.Value;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Kept by Instance; EnsureCreated throws it on the caller's thread.
                }
            });
        }
    }

    private static OrtEnv Create()
    {
        // ONNX Runtime reads this with getenv when its environment is created; .NET's Environment.SetEnvironmentVariable
        // does not reach the native environment on Unix, so libc's setenv does it. An explicit value is kept.
        if (!OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(TelemetryVariable) is null)
        {
            _ = SetEnv(TelemetryVariable, "1", overwrite: 0);
        }

        OrtEnv env = OrtEnv.Instance();
        if (Environment.GetEnvironmentVariable(TelemetryVariable) != "0")
        {
            env.DisableTelemetryEvents();
        }

        RegisterSharedCpuArena(env);
        return env;
    }

    /// <summary>
    /// One CPU memory arena for every FewShot session of the process that uses an arena (they opt in with
    /// <see cref="UseSharedArenaKey"/>). Each session would otherwise grow an arena of its own and keep it: a bundle's
    /// adapt and predict graphs run one after the other, so with one arena the predictions reuse the buffers the
    /// adaptation freed (`fewshot adapt` on a conv4 bundle peaked 29 MB lower, about 17 %, at the same speed).
    /// </summary>
    private static void RegisterSharedCpuArena(OrtEnv env)
    {
        using var cpu = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);

        // A 64 MB first chunk instead of ONNX Runtime's 1 MB (growth by powers of two, as by default): a conv4 gradient
        // step and a prediction fit it, where 1, 2, 4, 8 and 16 MB chunks left gaps that the process kept (16 MB: an
        // adapt-5 + predict loop peaked at 126 MB instead of 139, at the same speed). Pages are resident only once
        // written. The first session's chunk is advised onto huge pages (ArenaHugePages).
        using var settings = new OrtArenaCfg(0, -1, InitialArenaChunkBytes, -1);
        try
        {
            env.CreateAndRegisterAllocator(cpu, settings);
        }
        catch (OnnxRuntimeException)
        {
            // Most likely the application registered a CPU allocator first, which FewShot's sessions then share; with none
            // registered, each session falls back to an arena of its own, as before: either way nothing else changes.
        }
    }

    private static DllNotFoundException? LoadError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException loadError)
            {
                return loadError;
            }
        }

        return null;
    }

    /// <summary>Where the app holds ONNX Runtime's native library though it did not load, or null where it holds none.</summary>
    private static string? FindNativeLibrary()
    {
        string name = OperatingSystem.IsWindows() ? "onnxruntime.dll" : OperatingSystem.IsMacOS() ? "libonnxruntime.dylib" : "libonnxruntime.so";
        string folders = AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? AppContext.BaseDirectory;
        return folders.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
