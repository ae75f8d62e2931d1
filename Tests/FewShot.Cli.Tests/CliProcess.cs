using System.Diagnostics;

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
}
