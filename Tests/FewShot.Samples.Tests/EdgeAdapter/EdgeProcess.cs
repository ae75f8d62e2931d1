using System.Diagnostics;

namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>fewshot-edge (the test output's build) run as a process of its own, for what only a whole process shows.</summary>
internal static class EdgeProcess
{
    /// <summary>Runs it to the end in <paramref name="work"/>; <paramref name="environment"/> sets variables, or removes those set to null.</summary>
    public static (int ExitCode, string Error) Run(string work, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "fewshot-edge"), arguments)
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Result);
    }
}
