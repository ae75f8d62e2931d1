using Spectre.Console;

namespace FewShot.Cli.Commands;

/// <summary>
/// Spectre.Console over a command's output writer: colors and live redrawing on a terminal, plain text when the
/// output is redirected or is a writer that tests capture.
/// </summary>
internal static class TerminalOutput
{
    /// <summary>True when <paramref name="output"/> is the process's console and that console is a terminal.</summary>
    public static bool IsTerminal(TextWriter output) => !Console.IsOutputRedirected && output == Console.Out;

    /// <summary>A Spectre console writing to <paramref name="output"/>; without a terminal it writes no escape codes.</summary>
    public static IAnsiConsole For(TextWriter output)
    {
        var terminal = IsTerminal(output);
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }
}
