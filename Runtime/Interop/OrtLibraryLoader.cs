using System.Globalization;
using System.Runtime.InteropServices;

namespace FewShot.Runtime.Interop;

/// <summary>Finds and loads the native ONNX Runtime library.</summary>
/// <remarks>
/// Order: the file named by <see cref="PathVariable"/> (when set, and only it), else the copy that the build places
/// next to the binaries (<see cref="BundledRelativePath"/>), else the system's library search path.
/// </remarks>
internal static class OrtLibraryLoader
{
    /// <summary>Environment variable that names an ONNX Runtime library to load instead of the bundled one.</summary>
    public const string PathVariable = "FEWSHOT_ONNXRUNTIME_PATH";

    /// <summary>Where build/OnnxRuntime.targets copies the library, relative to the application's base directory.</summary>
    public const string BundledRelativePath = "runtimes/linux-x64/native/libonnxruntime.so";

    /// <summary>Names tried on the system's library search path when no bundled copy exists.</summary>
    public static readonly IReadOnlyList<string> SystemNames = ["libonnxruntime.so.1", "onnxruntime"];

    /// <summary>Loads ONNX Runtime from the standard places.</summary>
    /// <returns>The OS handle of the library and the path it was loaded from.</returns>
    /// <exception cref="DllNotFoundException">No candidate could be loaded; the message lists what was tried and how to fix it.</exception>
    public static (nint Handle, string Path) Load() =>
        Load(Environment.GetEnvironmentVariable(PathVariable), AppContext.BaseDirectory, SystemNames);

    /// <summary>Loads ONNX Runtime from the given candidates; separate from <see cref="Load()"/> so tests can steer it.</summary>
    internal static (nint Handle, string Path) Load(string? overridePath, string baseDirectory, IReadOnlyList<string> systemNames)
    {
        if (!string.IsNullOrEmpty(overridePath))
        {
            return LoadOverride(overridePath);
        }

        var failures = new List<string>();
        string bundled = Path.Combine(baseDirectory, BundledRelativePath);
        if (!File.Exists(bundled))
        {
            failures.Add($"{bundled}: no such file");
        }
        else if (TryLoad(() => NativeLibrary.Load(bundled), out nint handle, out string? error))
        {
            return (handle, bundled);
        }
        else
        {
            failures.Add($"{bundled}: {error}");
        }

        foreach (string name in systemNames)
        {
            if (TryLoad(() => NativeLibrary.Load(name, typeof(OrtLibraryLoader).Assembly, null), out nint handle, out string? error))
            {
                return (handle, name);
            }

            failures.Add($"{name} (system library search path): {error}");
        }

        throw new DllNotFoundException(
            "ONNX Runtime (libonnxruntime.so.1, version 1.30) could not be loaded. Tried:" + Environment.NewLine
            + string.Join(Environment.NewLine, failures.Select(f => "  - " + f)) + Environment.NewLine
            + "To fix: build the project that references FewShot.Runtime again (`dotnet build`); the build fetches ONNX Runtime "
            + $"1.30.0 once through npm (package onnxruntime-node) and copies it to {BundledRelativePath} next to the binaries. "
            + $"Or set {PathVariable} to the full path of an ONNX Runtime 1.30 libonnxruntime.so.1.");
    }

    private static (nint Handle, string Path) LoadOverride(string overridePath)
    {
        string fullPath = Path.GetFullPath(overridePath);
        if (!File.Exists(fullPath))
        {
            throw new DllNotFoundException(
                $"{PathVariable} is set to '{overridePath}', but no file exists at {fullPath}. Point it at an ONNX Runtime 1.30 "
                + "library file (libonnxruntime.so.1), or unset it to use the copy that the build places next to the binaries.");
        }

        if (TryLoad(() => NativeLibrary.Load(fullPath), out nint handle, out string? error))
        {
            return (handle, fullPath);
        }

        throw new DllNotFoundException(
            $"{PathVariable} is set to '{overridePath}', but {fullPath} could not be loaded as a native library: {error}. "
            + "Point it at an ONNX Runtime 1.30 libonnxruntime.so.1 built for this platform, or unset it.");
    }

    private static bool TryLoad(Func<nint> load, out nint handle, out string? error)
    {
        try
        {
            handle = load();
            error = null;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            handle = 0;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// The file that holds <paramref name="address"/> in this process, read from /proc/self/maps; so a library found
    /// on the system search path still reports (and looks for its provider libraries beside) its real location.
    /// </summary>
    /// <returns>The file's path, or <see langword="null"/> where /proc is not available.</returns>
    public static string? FindMappedFile(nint address)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        ulong target = (ulong)address;
        foreach (string line in File.ReadLines(maps))
        {
            // "start-end perms offset dev inode   path"
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            int dash = fields.Length < 6 ? -1 : fields[0].IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }

            ulong start = ulong.Parse(fields[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(fields[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (target >= start && target < end)
            {
                return fields[5].Trim();
            }
        }

        return null;
    }
}
