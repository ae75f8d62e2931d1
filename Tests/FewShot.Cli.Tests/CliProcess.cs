using System.Diagnostics;
using System.Globalization;

namespace FewShot.Cli.Tests;

/// <summary>Runs the built <c>fewshot</c> command as a process of its own (<c>dotnet fewshot.dll</c>), as a user starts it.</summary>
internal static class CliProcess
{
    /// <summary>How to start <c>fewshot <paramref name="arguments"/></c> with both outputs redirected; the caller may change its environment.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fewshot.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Runs the process to its end and returns its exit code and what it printed; kills it after <paramref name="timeout"/>.</summary>
    public static (int Exit, string Output, string Error) Run(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fewshot {string.Join(' ', start.ArgumentList.Skip(1))} did not finish in {timeout}");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Waits until a training process's metrics.jsonl at <paramref name="metrics"/> records <paramref name="iteration"/>; fails if the process exits first or 2 minutes pass.</summary>
    public static void WaitForIteration(Process process, string metrics, int iteration)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            Assert.False(process.HasExited, $"fewshot train exited with {(process.HasExited ? process.ExitCode : 0)} before iteration {iteration}");
            if (File.Exists(metrics) && LastIteration(metrics) >= iteration)
            {
                return;
            }

            Thread.Sleep(5);
        }

        throw new TimeoutException($"fewshot train did not reach iteration {iteration} in 2 minutes");
    }

    /// <summary>The last whole iteration line of a metrics.jsonl that a running process may be writing; 0 before the first.</summary>
    public static int LastIteration(string metrics)
    {
        using var stream = new FileStream(metrics, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var lines = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var last = lines.LastOrDefault(l => l.StartsWith("{\"iteration\":", StringComparison.Ordinal) && l.EndsWith('}'));
        return last is null ? 0 : int.Parse(last["{\"iteration\":".Length..last.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }
}
