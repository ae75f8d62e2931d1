using System.Diagnostics;

namespace FewShot.Tests.Shared;

/// <summary>Runs the dotnet command line for the packaging tests, failing the test with its output when it fails.</summary>
internal static class DotnetCli
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="folder"/>; returns its output and errors.</summary>
    public static string Run(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes");
        }

        var log = output.Result + error.Result;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{log}");
        return log;
    }

    /// <summary>
    /// Packs the project in <paramref name="projectFolder"/> (relative to the repository) as built, into
    /// <paramref name="feed"/>, with <paramref name="version"/> when given; restores nothing, so the build's own
    /// restore output stays as it is.
    /// </summary>
    public static void Pack(string projectFolder, string feed, string? version = null)
    {
        string[] arguments = ["pack", Path.Combine(RepoPaths.Root, projectFolder), "-c", "Release", "--no-build", "--no-restore", "-o", feed, "-nologo", "-v", "quiet"];
        Run(RepoPaths.Root, version is null ? arguments : [.. arguments, $"-p:PackageVersion={version}"]);
    }

    /// <summary>NuGet's global packages folder, where a restore unpacks the packages it uses.</summary>
    public static string GlobalPackages => Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>
    /// Deletes <paramref name="version"/> of each package in <paramref name="ids"/> (lower-case ids) from
    /// <see cref="GlobalPackages"/>: a test's unique version that a throwaway app's restore unpacked there.
    /// </summary>
    public static void RemoveFromGlobalPackages(IEnumerable<string> ids, string version)
    {
        foreach (string id in ids)
        {
            string unpacked = Path.Combine(GlobalPackages, id, version);
            if (Directory.Exists(unpacked))
            {
                Directory.Delete(unpacked, recursive: true);
            }
        }
    }
}
