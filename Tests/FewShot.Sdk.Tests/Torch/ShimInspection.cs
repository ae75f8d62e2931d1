using System.Diagnostics;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>What readelf says about a copy of TorchSharp's shim and the libstdc++ it resolves to on this machine.</summary>
internal static class ShimInspection
{
    /// <summary>The libstdc++ symbol version that build/torchsharp-compat.sh marks weak.</summary>
    public const string Version = "GLIBCXX_3.4.32";

    /// <summary>The libstdc++.so.6 that <paramref name="shim"/> resolves to on this machine.</summary>
    public static string SystemLibStdCxx(string shim) =>
        Bash($"ldd '{shim}' | awk '$1 == \"libstdc++.so.6\" {{ print $3; exit }}'").Output;

    /// <summary>Whether the libstdc++ that <paramref name="shim"/> resolves to defines <paramref name="version"/>.</summary>
    public static bool LibStdCxxHas(string shim, string version) =>
        Bash($"readelf -V --wide '{SystemLibStdCxx(shim)}' | grep -qE 'Name: {version}( |$)'").Exit == 0;

    /// <summary>Whether <paramref name="shim"/>'s need for <see cref="Version"/> is marked weak, as the script leaves a patched copy.</summary>
    public static bool NeedIsWeak(string shim) =>
        Bash($"readelf -V --wide '{shim}' | grep -qE 'Name: {Version} +Flags: WEAK'").Exit == 0;

    /// <summary>Runs <paramref name="command"/> in bash; its exit status, and its output and errors together, trimmed.</summary>
    public static (int Exit, string Output) Bash(string command)
    {
        var start = new ProcessStartInfo("/bin/bash", ["-c", command]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, (output + error.Result).Trim());
    }
}
