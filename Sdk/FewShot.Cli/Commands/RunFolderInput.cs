using System.CommandLine;

namespace FewShot.Cli.Commands;

/// <summary>
/// The run folder that eval, plot and export read, given as the command's argument (<c>fewshot plot runs/x</c>) or
/// with <c>--run</c> (<c>fewshot plot --run runs/x</c>): a user types either.
/// </summary>
internal sealed class RunFolderInput
{
    private readonly string _command;
    private readonly Argument<string?> _argument;
    private readonly Option<string?> _option;

    /// <summary>Adds the argument and the option to <paramref name="command"/>.</summary>
    /// <param name="command">The command that reads a run folder.</param>
    /// <param name="description">What the input may name, for the help.</param>
    public RunFolderInput(Command command, string description = "Run folder written by fewshot train")
    {
        ArgumentNullException.ThrowIfNull(command);
        _command = command.Name;
        _argument = new("run") { Description = $"{description} (or --run)", Arity = ArgumentArity.ZeroOrOne };
        _option = new("--run") { Description = $"{description} (or give it as the argument)" };
        command.Arguments.Add(_argument);
        command.Options.Add(_option);
    }

    /// <summary>The folder given in either form; null when neither was used.</summary>
    /// <exception cref="ArgumentException">The two forms name different folders.</exception>
    public string? Find(ParseResult parse)
    {
        var (argument, option) = (parse.GetValue(_argument), parse.GetValue(_option));
        if (argument is not null && option is not null && argument != option)
        {
            throw new ArgumentException($"the run folder is given twice, as '{argument}' and as --run '{option}'; give it once");
        }

        return argument ?? option;
    }

    /// <summary>The folder given in either form.</summary>
    /// <exception cref="ArgumentException">Neither form was used, or they disagree.</exception>
    public string Require(ParseResult parse) =>
        Find(parse) ?? throw new ArgumentException($"give the run folder: fewshot {_command} <run-folder> (or --run <run-folder>)");
}
