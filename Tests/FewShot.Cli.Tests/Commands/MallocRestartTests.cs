using FewShot.Sdk.Torch;
using FewShot.Tests.Shared;

namespace FewShot.Cli.Tests.Commands;

/// <summary>
/// <c>fewshot train</c> started without glibc's malloc tunables executes itself again with them
/// (<see cref="MallocRestart"/>), so that a conv run does not warn that it is slow; opting out keeps the warning. The
/// restart preloads tcmalloc where it is installed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MallocRestartTests : IDisposable
{
    private const string SlowMallocNote = "glibc's malloc returns libtorch's large buffers";
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-malloc-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Train_restarts_itself_with_the_tunables_and_its_arguments_intact()
    {
        // A space in the run folder: the restarted process must get each argument as it was given.
        var run = Path.Combine(_folder, "a run");
        var (exit, output, error) = Train(run, optOut: null);
        Assert.True(exit == 0, error);
        Assert.DoesNotContain(SlowMallocNote, error, StringComparison.Ordinal);
        Assert.Contains("Trained protonet for 2 iterations", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "run.json")), $"no run folder at '{run}'");
    }

    [Fact]
    public void Opting_out_trains_in_the_same_process_and_says_why_it_is_slow()
    {
        var (exit, _, error) = Train(Path.Combine(_folder, "opted out"), optOut: "0");
        Assert.True(exit == 0, error);
        Assert.Contains(SlowMallocNote, error, StringComparison.Ordinal);
        Assert.Contains($"{MallocRestart.OptOutVariable}=0", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "tcmalloc")]
    [InlineData("0", "glibc")]
    public void The_restart_preloads_tcmalloc_unless_told_not_to(string? tcmallocOptOut, string expected)
    {
        // build/install-test-deps.sh installs Debian's libtcmalloc-minimal4, so a test machine has it.
        Assert.True(MallocRestart.InstalledTcmalloc() is not null, "libtcmalloc-minimal4 is not installed: run build/install-test-deps.sh");
        var start = CliProcess.StartInfo(["bench", "train", "--case", "fomaml-1", "--norm", "group", "--threads", "1", "--runs", "1", "--warmup", "0", "--json"]);
        start.Environment.Remove("GLIBC_TUNABLES");
        start.Environment.Remove("LD_PRELOAD");
        start.Environment.Remove(MallocRestart.OptOutVariable);
        start.Environment.Remove(MallocRestart.TcmallocOptOutVariable);
        if (tcmallocOptOut is not null)
        {
            start.Environment[MallocRestart.TcmallocOptOutVariable] = tcmallocOptOut;
        }

        var (exit, output, error) = CliProcess.Run(start, TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, error);
        using var result = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(expected, result.RootElement.GetProperty("malloc").GetString());
        Assert.DoesNotContain("tcmalloc: large alloc", error, StringComparison.Ordinal);
    }

    private static (int Exit, string Output, string Error) Train(string run, string? optOut)
    {
        var start = CliProcess.StartInfo(
        [
            "train", "--algorithm", "protonet", "--dataset", "omniglot", "--data", RepoPaths.Omniglot, "--split", "paper",
            "--ways", "5", "--shots", "1", "--queries", "2", "--channels", "8", "--validate-every", "0",
            "--iterations", "2", "--threads", "1", "--out", run,
        ]);
        start.Environment.Remove("GLIBC_TUNABLES");
        start.Environment.Remove(MallocRestart.OptOutVariable);
        if (optOut is not null)
        {
            start.Environment[MallocRestart.OptOutVariable] = optOut;
        }

        return CliProcess.Run(start, TimeSpan.FromMinutes(3));
    }
}
