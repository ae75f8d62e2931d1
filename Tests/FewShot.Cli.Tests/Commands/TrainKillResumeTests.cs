using System.Diagnostics;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// A real <c>fewshot train</c> process killed with SIGKILL mid-run resumes to the very θ (and Adam state, and metrics)
/// of an uninterrupted run of the same seed: checkpoints are atomic and resume is exact.
/// </summary>
[Trait("Category", "Slow")]
// In-process meta-training on libtorch, whose trainer runs a meta-batch's tasks side by side inside a .NET
// no-collection region: other test classes' allocations in the same process could end that region mid-call (SerialCollection).
[Collection(SerialCollection.Name)]
public sealed class TrainKillResumeTests : IDisposable
{
    private const int Iterations = 400;
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void AKilledTorchRunResumesBitForBit()
    {
        var straight = Path.Combine(_folder, "straight");
        var killed = Path.Combine(_folder, "killed");

        using (var process = Start(Arguments(killed)))
        {
            // Past the first checkpoint (iteration 100) and well before the end: the kill lands mid-run.
            CliProcess.WaitForIteration(process, Path.Combine(killed, "metrics.jsonl"), 130);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        Assert.True(File.Exists(Path.Combine(killed, Checkpoint.FileName)), "no checkpoint survived the kill");
        Assert.True(Checkpoint.Load(Path.Combine(killed, Checkpoint.FileName), Specs()).Iteration < Iterations, "the process finished before it was killed");
        Assert.Equal(0, Run(Arguments(killed)));
        Assert.Equal(0, Run(Arguments(straight)));

        var expected = Checkpoint.Load(Path.Combine(straight, Checkpoint.FileName), Specs());
        var resumed = Checkpoint.Load(Path.Combine(killed, Checkpoint.FileName), Specs());
        Assert.Equal(Iterations, resumed.Iteration);
        Assert.Equal(expected.OptimizerSteps, resumed.OptimizerSteps);
        for (var p = 0; p < expected.Parameters.Length; p++)
        {
            Assert.Equal(expected.Parameters[p], resumed.Parameters[p]);
            Assert.Equal(expected.FirstMoments[p], resumed.FirstMoments[p]);
            Assert.Equal(expected.SecondMoments[p], resumed.SecondMoments[p]);
        }

        Assert.Equal(Metrics(straight), Metrics(killed));
    }

    private static string[] Arguments(string run) =>
        ["train", "--algorithm", "maml", "--dataset", "sinusoid", "--shots", "5", "--queries", "5", "--inner-steps", "2",
            "--meta-batch", "2", "--iterations", Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "9", "--threads", "1", "--out", run];

    private static IReadOnlyList<ParameterSpec> Specs() => Mlp.Sinusoid().Parameters;

    private static string[] Metrics(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\"seconds\":[0-9.]+", "")).ToArray();

    private static Process Start(string[] arguments)
    {
        var process = Process.Start(CliProcess.StartInfo(arguments)) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int Run(string[] arguments)
    {
        using var process = Start(arguments);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "fewshot train did not finish in 2 minutes");
        return process.ExitCode;
    }
}
