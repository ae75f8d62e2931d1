using FewShot.Sdk.Torch;

namespace FewShot.Cli;

/// <summary>The <c>fewshot</c> command's entry point.</summary>
public static class Program
{
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
        return FewShotCommandLine.Create(Console.Out, Console.Error).Parse(args).Invoke();
    }
}
