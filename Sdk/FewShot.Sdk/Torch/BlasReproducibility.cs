using System.Runtime.InteropServices;

namespace FewShot.Sdk.Torch;

/// <summary>
/// Makes libtorch's matrix products give the same bits for the same inputs. On x86, libtorch's BLAS is Intel's MKL,
/// which by default picks its code path by each buffer's memory alignment: the same MANN meta-step, run five times in
/// one process (the test suite's), gave two different losses (3.2200634 and 3.2200637) and three different gradients
/// as the allocator handed out other addresses; a resumed run, whose buffers land elsewhere, could then drift from the
/// uninterrupted one in the last bits. MKL's conditional numerical reproducibility with <see cref="Mode"/> (the best
/// code path for this CPU, independent of alignment) made all five identical.
/// </summary>
internal static class BlasReproducibility
{
    /// <summary>MKL's environment variable, read once when MKL first runs.</summary>
    public const string Variable = "MKL_CBWR";

    /// <summary>The mode: MKL's automatic code path for the CPU, made independent of alignment.</summary>
    public const string Mode = "AUTO,STRICT";

    /// <summary>
    /// Sets <see cref="Variable"/> in the native environment before libtorch first runs MKL, unless the process has
    /// its own setting. .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only the
    /// managed copy on Unix, where MKL reads the C library's, hence setenv. Windows is left to the user (set it before
    /// the process starts).
    /// </summary>
    public static void Request()
    {
        if (OperatingSystem.IsWindows() || Environment.GetEnvironmentVariable(Variable) is not null)
        {
            return;
        }

        _ = SetEnvironment(Variable, Mode, overwrite: 0);
    }

    /// <summary>The value MKL will read (the C library's environment); null when unset or on Windows.</summary>
    public static string? Current() =>
        OperatingSystem.IsWindows() ? null : Marshal.PtrToStringUTF8(GetEnvironment(Variable));

    // DllImport rather than LibraryImport, which would need unsafe code in the Sdk; strings marshal as UTF-8 on Unix.
    [DllImport("libc", EntryPoint = "setenv", BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv", BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr GetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
