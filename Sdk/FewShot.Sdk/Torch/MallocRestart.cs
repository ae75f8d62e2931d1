using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FewShot.Sdk.Torch;

/// <summary>
/// Gives a meta-training process glibc's malloc settings under which libtorch keeps freed buffers
/// (<see cref="TorchSetup.MallocTunables"/>) by executing the same program again with them. glibc reads
/// <c>GLIBC_TUNABLES</c> only when a program starts, and <c>mallopt</c> cannot raise the mmap threshold past 32 MB, which
/// does not help; without them `fewshot train` ran the shipped ProtoNets recipe 2.5–2.9× slower, to the same bits
/// (README, "TorchSharp").
/// </summary>
/// <remarks>
/// The restart is an <c>execv</c> of <c>/proc/self/exe</c> with the process's own arguments (from
/// <c>/proc/self/cmdline</c>): the same process id, open files, working folder and environment, plus the tunables, so a
/// parent that waits for or kills the process sees one process. Call it first thing in <c>Main</c>, before any thread
/// of the app's own starts work or any output is written. It does nothing on Windows, macOS or musl, under a debugger,
/// when <c>GLIBC_TUNABLES</c> already has a <c>glibc.malloc</c> setting (the user's choice, or a restart's: it never
/// loops), or when <see cref="OptOutVariable"/> is <c>0</c>.
/// </remarks>
public static class MallocRestart
{
    /// <summary>The environment variable that turns the restart off when set to <c>0</c>.</summary>
    public const string OptOutVariable = "FEWSHOT_MALLOC_RESTART";

    private const string TunablesVariable = "GLIBC_TUNABLES";

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

        try
        {
            // setenv rather than a new environment block: execv passes the C library's environment on, including what
            // the process set natively before this call.
            if (SetEnvironment(TunablesVariable, tunables, overwrite: 1) != 0)
            {
                return false;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not the C library this expects: nothing changed
        }

        Execute(arguments);
        // Only reached when execv failed: leave the environment as the process found it.
        _ = current is null ? UnsetEnvironment(TunablesVariable) : SetEnvironment(TunablesVariable, current, overwrite: 1);
        return false;
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
