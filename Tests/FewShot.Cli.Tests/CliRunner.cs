using System.CommandLine;
using FewShot.Cli;

namespace FewShot.Cli.Tests;

/// <summary>Runs the <c>fewshot</c> command line in-process, as a user would type it, capturing what it prints.</summary>
internal static class CliRunner
{
    /// <summary>The exit code, standard output and standard error of <c>fewshot <paramref name="args"/></c>.</summary>
    public static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // The invocation's writers, so that parse errors (an unknown option) reach Error as they reach stderr.
        var exit = FewShotCommandLine.Run(args, new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
