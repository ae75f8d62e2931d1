using System.Diagnostics;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using TorchSharp;

namespace FewShot.Sdk.Torch;

/// <summary>
/// Loads TorchSharp's native libraries once per process, sets libtorch's thread count, asks MKL for reproducible
/// products (<see cref="BlasReproducibility"/>), and turns load failures and missing devices into
/// <see cref="TorchUnavailableException"/>s that say what to do.
/// All members are thread-safe. libtorch's settings are process-wide, like PyTorch's.
/// </summary>
/// <remarks>
/// libtorch, like PyTorch, runs best when glibc's malloc keeps freed buffers instead of returning them to the
/// system after every step: start the process with <c>GLIBC_TUNABLES=</c><see cref="MallocTunables"/>.
/// glibc reads it only at process start, so it cannot be set from here; <see cref="MallocRestart"/> executes the
/// program again with it.
/// </remarks>
public static class TorchSetup
{
    /// <summary>TorchSharp's native shim on Linux, the library that fails to load on an old libstdc++.</summary>
    public const string NativeShim = "libLibTorchSharp.so";

    /// <summary>The libstdc++ symbol version the shim asks for (GCC 13's); Debian 12's libstdc++ stops at GLIBCXX_3.4.30.</summary>
    public const string RequiredLibStdCxxVersion = "GLIBCXX_3.4.32";

    /// <summary>The repository's script that makes the shim load on an older libstdc++; the build runs it.</summary>
    public const string CompatibilityScript = "build/torchsharp-compat.sh";

    /// <summary>
    /// The MSBuild file that runs <see cref="CompatibilityScript"/> on build and publish outputs: the repository imports it
    /// into its projects, the FewShot.Sdk package carries it as <c>buildTransitive/FewShot.Sdk.targets</c>, and an app that
    /// references FewShot.Sdk's project from outside the repository imports it itself.
    /// </summary>
    public const string CompatibilityTargets = "build/TorchSharpCompat.targets";

    /// <summary>
    /// The value of <c>GLIBC_TUNABLES</c> under which libtorch keeps freed buffers (set before the process starts): no
    /// mmap for buffers under 1 GB and no trimming of the main heap, and a 64 MB top pad, which also keeps a thread's own
    /// malloc heap from being unmapped when it empties (meta-batch tasks side by side, <see cref="Learning.TorchMetaBatch"/>:
    /// conv4 FOMAML 1 step at 2 threads faulted 8,800 fresh pages an iteration without it and 550 with it; median 26.8
    /// tasks/s over 1,200 iterations against 24.7 over 2,500).
    /// </summary>
    public const string MallocTunables = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=67108864";

    /// <summary>
    /// True on Linux when <paramref name="tunables"/> (the value of <c>GLIBC_TUNABLES</c>) does not raise glibc's mmap
    /// threshold: buffers above it (128 KB, rising to at most 32 MB as glibc adapts) are then mapped fresh and returned
    /// after use, and the page faults slow conv meta-training (ProtoNets 60-way, 1 thread: 0.77–1.10 episodes/s with no
    /// tunables, 0.59–0.75 with the trim threshold alone, 1.59–1.65 with <see cref="MallocTunables"/>).
    /// </summary>
    public static bool MallocKeepsNoBuffers(string? tunables) =>
        OperatingSystem.IsLinux() && (tunables is null || !tunables.Contains("glibc.malloc.mmap_threshold=", StringComparison.Ordinal));

    private static readonly Lock Gate = new();
    private static TimeSpan? loadTime;

    /// <summary>
    /// Loads libtorch on the first call (later calls only apply <paramref name="threads"/>) and, when
    /// <paramref name="threads"/> is positive, sets libtorch's intra-op thread count; 0 keeps libtorch's
    /// default (one per physical core). The first call also turns off the process's background garbage collection
    /// (<see cref="GCSettings.LatencyMode"/> <see cref="GCLatencyMode.Batch"/>; see <see cref="NoBackgroundCollection"/>).
    /// </summary>
    /// <exception cref="TorchUnavailableException">The native libraries did not load.</exception>
    public static void Initialize(int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        lock (Gate)
        {
            if (loadTime is null)
            {
                var stopwatch = Stopwatch.StartNew();
                Load();
                loadTime = stopwatch.Elapsed;
                NoBackgroundCollection();
            }
            if (threads > 0)
            {
                // libtorch keeps one process-wide count that each thread copies on its first operation, and later
                // settings are the thread's own: make that copy first, so that another thread setting the process-wide
                // count in between cannot replace this thread's.
                _ = torch.get_num_threads();
                torch.set_num_threads(threads);
            }
        }
    }

    /// <summary>
    /// Turns off background garbage collection for the process. TorchSharp 0.107 passes the native handle of a temporary
    /// <see cref="Scalar"/> (the one that <c>a + b</c>, <c>x * 0.95f</c> or <c>1 - x</c> makes) to libtorch without keeping
    /// the managed object alive for the call; a background collection, which runs beside the calling thread, could then
    /// finalize the scalar while libtorch still read it. MANN's long runs of small operations hit this within seconds
    /// under xUnit: libtorch failed with "Expected false to be true" from <c>c10::Scalar::toFloat</c> (or another
    /// corrupt-scalar message) in two of two 600-iteration runs of <c>MannTests</c>, two of four shorter MANN probes and a
    /// <c>fewshot train --algorithm ae-generator</c> run, and in none of two runs with <c>DOTNET_gcConcurrent=0</c> nor of
    /// four with this setting (the mechanism is our reading of TorchSharp's source and not settled: process-lifetime scalars at MANN's call sites did not stop the failures; the effect of this setting is what was measured). Blocking
    /// collections still run;
    /// a collection that another thread starts during a native call remains possible (not seen in these runs); the proper fix
    /// (a <c>GC.KeepAlive</c> after each such call) belongs in TorchSharp. A host that must keep background collection
    /// can set <see cref="GCSettings.LatencyMode"/> back after this.
    /// </summary>
    public static void NoBackgroundCollection()
    {
        if (GCSettings.LatencyMode is GCLatencyMode.Interactive or GCLatencyMode.SustainedLowLatency)
        {
            GCSettings.LatencyMode = GCLatencyMode.Batch;
        }
    }

    /// <summary>How long the first <see cref="Initialize"/> took to load the native libraries (loads them if needed).</summary>
    public static TimeSpan LoadTime
    {
        get
        {
            Initialize();
            lock (Gate)
            {
                return loadTime!.Value;
            }
        }
    }

    /// <summary>libtorch's intra-op thread count (loads libtorch if needed).</summary>
    public static int Threads
    {
        get
        {
            Initialize();
            return torch.get_num_threads();
        }
    }

    /// <summary>TorchSharp's package version, e.g. <c>0.107.0</c>; needs no native library.</summary>
    public static string TorchSharpVersion =>
        (typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(torch).Assembly.GetName().Version?.ToString()
            ?? "unknown").Split('+')[0];

    /// <summary>The libtorch version TorchSharp was built against, e.g. <c>2.10.0.0</c> (loads libtorch if needed).</summary>
    /// <remarks>Any use of TorchSharp's torch class loads libtorch, so this goes through <see cref="Initialize"/> first.</remarks>
    public static string LibTorchVersion
    {
        get
        {
            Initialize();
            return torch.__version__;
        }
    }

    /// <summary>
    /// The TorchSharp device for <paramref name="name"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>), loading libtorch if needed.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a device name TorchSharp knows.</exception>
    /// <exception cref="TorchUnavailableException">A CUDA device was asked for and TorchSharp has no usable CUDA.</exception>
    public static torch.Device Device(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Initialize();
        // TorchSharp initializes a device when it parses its name, and reports a missing CUDA with its load trace.
        if (name.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
        {
            throw new TorchUnavailableException(
                $"device '{name}' needs CUDA, and TorchSharp found none: FewShot.Sdk references TorchSharp-cpu. CUDA needs " +
                "TorchSharp's CUDA package (TorchSharp-cuda-linux, which this project's package registry does not serve) " +
                "in its place, and a CUDA GPU with its driver; meta-train on cpu, or swap the package where it is served.");
        }
        torch.Device device;
        try
        {
            device = torch.device(name);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw new ArgumentException($"unknown torch device '{name}'; expected cpu, cuda or cuda:<index>", nameof(name), ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new TorchUnavailableException($"device '{name}' did not initialize: {ex.Message.Split('\n')[0]}", ex);
        }
        return device;
    }

    private static void Load()
    {
        try
        {
            BlasReproducibility.Request();

            // Load the shim ourselves first: on failure TorchSharp prints its trace to the console, and the
            // loader's own message (which names the missing symbol version) is what the user needs.
            NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null);
            torch.InitializeDeviceType(DeviceType.CPU);
            LibTorchOneDnn.Apply();
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException or NotSupportedException or TypeInitializationException)
        {
            throw LoadFailure(ex);
        }
    }

    // Touches no member of TorchSharp's torch class: after a failed load its type initializer throws too. The app's
    // build decides which fix applies and cannot be seen from here, so the message gives each way of building one.
    internal static TorchUnavailableException LoadFailure(Exception cause) => new(
        $"TorchSharp's native library {NativeShim} did not load: {Reason(cause).TrimEnd('.')}. " +
        $"On Linux the usual cause is a libstdc++ older than GCC 13's, without {RequiredLibStdCxxVersion} " +
        $"(std::ios_base_library_init(), symbol _ZSt21ios_base_library_initv): Debian 12 has this. FewShot's build step " +
        $"marks that version weak in each build and publish output's copy of {NativeShim}, and it may not have run on this " +
        "one. An app that references the FewShot.Sdk package gets the step with the package (buildTransitive/FewShot.Sdk.targets): " +
        "rebuild or republish it, and run the output the build wrote. An app that references FewShot.Sdk's project from " +
        $"outside the FewShot repository adds `<Import Project=\"<FewShot repository>/{CompatibilityTargets}\" />` to its " +
        $"project file and rebuilds. For a folder copied from elsewhere, run `bash <FewShot repository>/{CompatibilityScript} " +
        $"{AppContext.BaseDirectory}` (the package has the script too, as buildTransitive/torchsharp-compat.sh).",
        cause);

    /// <summary>
    /// The loader's own complaint: .NET's message lists every path it probed, and all but the one that exists
    /// say "No such file or directory".
    /// </summary>
    private static string Reason(Exception cause)
    {
        var lines = cause.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var found = lines.Skip(1).Where(line => !line.EndsWith("No such file or directory", StringComparison.Ordinal)).ToArray();
        return found.Length > 0 ? string.Join(" ", found) : lines.FirstOrDefault() ?? cause.GetType().Name;
    }
}
