using System.Diagnostics;
using FewShot.Sdk.Runs;

using static FewShot.Cli.Tests.CliRunner;

namespace FewShot.Cli.Tests.Commands;

/// <summary>A second <c>fewshot train</c> on a folder that a running process trains is refused; once that process is killed, the folder trains again.</summary>
[Trait("Category", "Slow")]
public sealed class TrainLockTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-train-lock-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ARunningTrainingHoldsItsFolder_AndAKilledOneReleasesIt()
    {
        var run = Path.Combine(_folder, "run");
        string[] arguments = ["train", "--dataset", "sinusoid", "--iterations", "1000000", "--threads", "1", "--seed", "3", "--out", run];
        using (var first = Process.Start(CliProcess.StartInfo(arguments))!)
        {
            first.OutputDataReceived += (_, _) => { };
            first.ErrorDataReceived += (_, _) => { };
            first.BeginOutputReadLine();
            first.BeginErrorReadLine();
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(run, "metrics.jsonl")))
            {
                Assert.False(first.HasExited, "the first training exited before it wrote its metrics");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the first training wrote no metrics in 2 minutes");
                Thread.Sleep(20);
            }

            var second = Run(arguments);

            Assert.Equal(1, second.Exit);
            Assert.Contains($"'{run}' is being trained by another process (or by another training in this one), which holds {RunFolderLock.FileName}", second.Error, StringComparison.Ordinal);
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }

        var resumed = Run(["train", "--dataset", "sinusoid", "--iterations", "5", "--threads", "1", "--seed", "3", "--out", run]);
        Assert.True(resumed.Exit == 0, resumed.Error);
    }
}
