using System.CommandLine;
using FewShot.Sdk.Torch;

namespace FewShot.Cli;

/// <summary>The <c>fewshot</c> command's entry point.</summary>
public static class Program
{
    /// <summary>How long a cancelled command may take to stop after Ctrl+C or SIGTERM before the process exits anyway (code 130 or 143).</summary>
    private static readonly TimeSpan TerminationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Parses the arguments and runs the chosen command; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        // Meta-training runs 2.5x faster when glibc's malloc keeps libtorch's freed buffers, which glibc reads only at a
        // program's start: such a command executes itself again with the setting (the same process id; no return then).
        if (args is ["train", ..] or ["bench", "train", ..])
        {
            _ = MallocRestart.RestartIfNeeded();
        }

        // Before any command touches libtorch (MKL reads it once): products that do not depend on buffer alignment.
        BlasReproducibility.Request();
        // Ctrl+C or SIGTERM cancels the command's token; a training run then finishes its iteration and writes a checkpoint,
        // which takes longer than System.CommandLine's default 2 s wait for a large meta-batch.
        return FewShotCommandLine.Run(args, new InvocationConfiguration { ProcessTerminationTimeout = TerminationTimeout });
    }
}
