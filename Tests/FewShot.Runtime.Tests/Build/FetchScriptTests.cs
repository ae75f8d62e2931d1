using System.Diagnostics;
using FewShot.Tests.Shared;

namespace FewShot.Runtime.Tests.Build;

/// <summary>The build's native-library fetch (build/fetch-onnxruntime.sh) explains what to install when it cannot work.</summary>
public sealed class FetchScriptTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("fewshot-fetch-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void WithoutNpmTheBuildSaysWhatToInstall()
    {
        var bin = ToolsWithoutNpm();

        var (exit, error) = RunScript(Path.Combine(_temp.FullName, "cache"), bin);

        Assert.Equal(1, exit);
        Assert.Contains("error FEWSHOT001: npm is needed", error);
        Assert.Contains("apt-get install nodejs npm", error);
        Assert.Contains("FEWSHOT_ONNXRUNTIME_PATH", error);
    }

    [Fact]
    public void ACachedLibraryWithTheWrongChecksumIsNotUsedSilently()
    {
        var cache = Path.Combine(_temp.FullName, "cache");
        Directory.CreateDirectory(Path.Combine(cache, "onnxruntime-1.30.0"));
        File.WriteAllText(Path.Combine(cache, "onnxruntime-1.30.0", "libonnxruntime.so.1"), "not a library");
        var bin = ToolsWithoutNpm();

        var (exit, error) = RunScript(cache, bin);

        // The corrupt file fails its sha256 check, so the script tries to fetch again (and, without npm, says so).
        Assert.Equal(1, exit);
        Assert.Contains("npm is needed", error);
    }

    /// <summary>A folder for PATH holding only the tools the script needs besides npm.</summary>
    private string ToolsWithoutNpm()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_temp.FullName, "bin")).FullName;
        foreach (var tool in new[] { "uname", "sha256sum", "cut", "mkdir", "flock", "mktemp", "rm", "tail", "tr" })
        {
            var path = new[] { "/usr/bin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            if (path is not null)
            {
                File.CreateSymbolicLink(Path.Combine(bin, tool), path);
            }
        }

        return bin;
    }

    private static (int Exit, string Error) RunScript(string cache, string path)
    {
        var script = Path.Combine(RepoPaths.Root, "build", "fetch-onnxruntime.sh");
        var start = new ProcessStartInfo("/bin/bash", [script, cache]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["PATH"] = path;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
