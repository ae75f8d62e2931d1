using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FewShot.Sdk.Torch;

/// <summary>
/// Gives a meta-training process glibc's malloc settings under which libtorch keeps freed buffers
/// (<see cref="TorchSetup.MallocTunables"/>) by executing the same program again with them. glibc reads
/// <c>GLIBC_TUNABLES</c> only when a program starts, and <c>mallopt</c> cannot raise the mmap threshold past 32 MB, which
/// does not help; without them `fewshot train` ran the shipped ProtoNets recipe 2.5–2.9× slower, to the same bits
/// (README, "TorchSharp"). Where gperftools' tcmalloc is installed (Debian's <c>libtcmalloc-minimal4</c>) the restart
/// also preloads it: the same speed and up to 25 % less peak memory than glibc's tuned malloc (README, "TorchSharp";
/// benchmarks/README.md, "tcmalloc").
/// </summary>
/// <remarks>
/// The restart is an <c>execv</c> of <c>/proc/self/exe</c> with the process's own arguments (from
/// <c>/proc/self/cmdline</c>): the same process id, open files, working folder and environment, plus the tunables, so a
/// parent that waits for or kills the process sees one process. Call it first thing in <c>Main</c>, before any thread
/// of the app's own starts work or any output is written. It does nothing on Windows, macOS or musl, under a debugger,
/// when <c>GLIBC_TUNABLES</c> already has a <c>glibc.malloc</c> setting (the user's choice, or a restart's: it never
/// loops), or when <see cref="OptOutVariable"/> is <c>0</c>. tcmalloc is preloaded only when <c>LD_PRELOAD</c> is empty (a
/// preload of the user's own is left as it is) and <see cref="TcmallocOptOutVariable"/> is not <c>0</c>.
/// </remarks>
public static class MallocRestart
{
    /// <summary>The environment variable that turns the restart off when set to <c>0</c>.</summary>
    public const string OptOutVariable = "FEWSHOT_MALLOC_RESTART";

    /// <summary>The environment variable that keeps glibc's malloc (tuned) instead of tcmalloc when set to <c>0</c>.</summary>
    public const string TcmallocOptOutVariable = "FEWSHOT_TCMALLOC";

    private const string TunablesVariable = "GLIBC_TUNABLES";
    private const string PreloadVariable = "LD_PRELOAD";

    // tcmalloc reports every allocation above 1 GB on stderr by default; a large meta-batch is not news to the user.
    private const string LargeAllocationReportVariable = "TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD";
    private const string NoLargeAllocationReport = "1099511627776";

    /// <summary>Where Debian's, Ubuntu's and Fedora's packages install gperftools' minimal tcmalloc.</summary>
    private static readonly string[] TcmallocLocations =
    [
        "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",
        "/usr/lib/aarch64-linux-gnu/libtcmalloc_minimal.so.4",
        "/usr/lib64/libtcmalloc_minimal.so.4",
        "/usr/lib/libtcmalloc_minimal.so.4",
    ];

    /// <summary>
    /// The <c>GLIBC_TUNABLES</c> value to restart with, given the current value and <see cref="OptOutVariable"/>'s; null
    /// when the process should go on as it is: opted out, or malloc already tuned by the user. Other tunables are kept.
    /// </summary>
    public static string? TunablesToRestartWith(string? current, string? optOut)
    {
        if (optOut == "0" || (current is not null && current.Contains("glibc.malloc.", StringComparison.Ordinal)))
        {
            return null;
        }

        return string.IsNullOrEmpty(current) ? TorchSetup.MallocTunables : $"{current}:{TorchSetup.MallocTunables}";
    }

    /// <summary>
    /// The <c>LD_PRELOAD</c> value to restart with: <paramref name="tcmalloc"/> (the library's path, null where it is not
    /// installed) unless opted out or <c>LD_PRELOAD</c> is already set; null to leave it as it is.
    /// </summary>
    public static string? PreloadToRestartWith(string? currentPreload, string? tcmallocOptOut, string? tcmalloc) =>
        tcmallocOptOut == "0" || !string.IsNullOrWhiteSpace(currentPreload) ? null : tcmalloc;

    /// <summary>The path of the tcmalloc library that a restart preloads, or null where none is installed.</summary>
    public static string? InstalledTcmalloc() => FindTcmalloc(File.Exists);

    /// <summary>
    /// The malloc this process runs on: "tcmalloc", "jemalloc" or "mimalloc" when such a library is mapped into it
    /// (preloaded), otherwise "glibc"; read from <paramref name="maps"/> (default <c>/proc/self/maps</c>).
    /// </summary>
    public static string RunningMalloc(string maps = "/proc/self/maps")
    {
        string text;
        try
        {
            text = File.ReadAllText(maps);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "glibc";
        }

        string[] libraries = ["tcmalloc", "jemalloc", "mimalloc"];
        return libraries.FirstOrDefault(library => text.Contains($"/lib{library}", StringComparison.Ordinal)) ?? "glibc";
    }

    /// <summary>The first of the known tcmalloc locations that <paramref name="exists"/> says holds a file, or null.</summary>
    internal static string? FindTcmalloc(Func<string, bool> exists) => TcmallocLocations.FirstOrDefault(exists);

    /// <summary>
    /// Executes the program again under <see cref="TorchSetup.MallocTunables"/> when this process's malloc would return
    /// libtorch's buffers after every use. Does not return when it restarts; returns false when it had nothing to do
    /// or could not restart (the process then goes on unchanged, as slow as before).
    /// </summary>
    public static bool RestartIfNeeded()
    {
        // A debugger would lose the process it attached to when its image is replaced.
        if (!OperatingSystem.IsLinux() || RuntimeInformation.RuntimeIdentifier.StartsWith("linux-musl", StringComparison.Ordinal) || Debugger.IsAttached)
        {
            return false;
        }

        var current = Environment.GetEnvironmentVariable(TunablesVariable);
        var tunables = TunablesToRestartWith(current, Environment.GetEnvironmentVariable(OptOutVariable));
        if (tunables is null || ReadArguments() is not { Length: > 0 } arguments)
        {
            return false;
        }

        var preload = PreloadToRestartWith(
            Environment.GetEnvironmentVariable(PreloadVariable), Environment.GetEnvironmentVariable(TcmallocOptOutVariable), InstalledTcmalloc());
        var changes = new List<(string Name, string Value)> { (TunablesVariable, tunables) };
        if (preload is not null)
        {
            changes.Add((PreloadVariable, preload));
            if (Environment.GetEnvironmentVariable(LargeAllocationReportVariable) is null)
            {
                changes.Add((LargeAllocationReportVariable, NoLargeAllocationReport));
            }
        }

        var previous = changes.Select(change => (change.Name, Value: Environment.GetEnvironmentVariable(change.Name))).ToArray();
        try
        {
            // setenv rather than a new environment block: execv passes the C library's environment on, including what
            // the process set natively before this call.
            foreach (var (name, value) in changes)
            {
                if (SetEnvironment(name, value, overwrite: 1) != 0)
                {
                    Restore(previous);
                    return false;
                }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not the C library this expects: nothing changed
        }

        Execute(arguments);
        // Only reached when execv failed: leave the environment as the process found it.
        Restore(previous);
        return false;
    }

    private static void Restore(IEnumerable<(string Name, string? Value)> variables)
    {
        foreach (var (name, value) in variables)
        {
            _ = value is null ? UnsetEnvironment(name) : SetEnvironment(name, value, overwrite: 1);
        }
    }

    /// <summary>execv of this program with <paramref name="arguments"/> as its argv; returns only when that failed.</summary>
    private static void Execute(byte[][] arguments)
    {
        // argv as C wants it: each argument's bytes and a NUL, and a null pointer after the last.
        var argv = new IntPtr[arguments.Length + 1];
        try
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                argv[i] = Marshal.AllocCoTaskMem(arguments[i].Length + 1);
                Marshal.Copy(arguments[i], 0, argv[i], arguments[i].Length);
                Marshal.WriteByte(argv[i], arguments[i].Length, 0);
            }

            _ = ExecuteProgram("/proc/self/exe", argv);
        }
        finally
        {
            foreach (var pointer in argv)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    /// <summary>
    /// The process's argv as the kernel recorded it, program name first, as bytes (an argument that is not UTF-8, a file
    /// name say, goes back unchanged): each argument ends with a NUL, an empty last one included. Null when unreadable.
    /// </summary>
    internal static byte[][]? ReadArguments(string path = "/proc/self/cmdline")
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var arguments = new List<byte[]>();
        for (int start = 0, end; start < bytes.Length; start = end + 1)
        {
            end = Array.IndexOf(bytes, (byte)0, start);
            end = end < 0 ? bytes.Length : end;
            arguments.Add(bytes[start..end]);
        }

        return [.. arguments];
    }

    // DllImport, as BlasReproducibility's: LibraryImport would need unsafe code in the Sdk. Strings marshal as UTF-8.
    [DllImport("libc", EntryPoint = "setenv", BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "unsetenv", BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int UnsetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "execv", BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int ExecuteProgram([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr[] arguments);
}
