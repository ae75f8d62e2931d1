using FewShot.Sdk.Torch;

namespace FewShot.Cli;

/// <summary>The <c>fewshot</c> command's entry point.</summary>
public static class Program
{
    /// <summary>Parses the arguments and runs the chosen command; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        // Before any command touches libtorch (MKL reads it once): products that do not depend on buffer alignment.
        BlasReproducibility.Request();
        return FewShotCommandLine.Create(Console.Out, Console.Error).Parse(args).Invoke();
    }
}
