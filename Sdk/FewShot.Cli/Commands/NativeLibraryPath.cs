namespace FewShot.Cli.Commands;

/// <summary>Where the ONNX Runtime native library that this process loaded lives, for <c>fewshot info</c>.</summary>
internal static class NativeLibraryPath
{
    private const string LibraryName = "libonnxruntime.so";

    /// <summary>
    /// The full path of the loaded libonnxruntime.so, read from the process's memory map (Linux only: the managed
    /// API does not say which file its DllImport resolved to); null elsewhere, or when the library is not loaded yet.
    /// </summary>
    public static string? Find()
    {
        const string maps = "/proc/self/maps";
        if (!OperatingSystem.IsLinux() || !File.Exists(maps))
        {
            return null;
        }

        // Each mapped line ends with the file's path; the library's name may carry a version suffix (.so.1.32.0).
        foreach (var line in File.ReadLines(maps))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith(LibraryName, StringComparison.Ordinal))
            {
                return line[slash..].Trim();
            }
        }

        return null;
    }
}
