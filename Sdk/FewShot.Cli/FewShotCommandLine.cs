using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using FewShot.Cli.Commands;

namespace FewShot.Cli;

/// <summary>Builds the <c>fewshot</c> command tree. Output goes to the given writers so tests can read it.</summary>
public static partial class FewShotCommandLine
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Create(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("FewShot: meta-train few-shot models on TorchSharp, export them as ONNX bundles, adapt them on ONNX Runtime.");
        root.Subcommands.Add(InfoCommand.Create(output, error));
        root.Subcommands.Add(TrainCommand.Create(output, error));
        root.Subcommands.Add(EvalCommand.Create(output, error));
        root.Subcommands.Add(PlotCommand.Create(output, error));
        root.Subcommands.Add(ExportCommand.Create(output, error));
        root.Subcommands.Add(AdaptCommand.Create(output, error));
        root.Subcommands.Add(PredictCommand.Create(output, error));
        root.Subcommands.Add(DemoCommand.Create(output, error));
        root.Subcommands.Add(BenchCommand.Create(output, error));
        foreach (var command in Commands(root))
        {
            command.Validators.Add(RefuseEmptyValues);
        }

        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the chosen command, writing to <paramref name="configuration"/>'s Output
    /// and Error; returns the process exit code. A command line the parser refuses (a value out of range, an unknown
    /// option or command, a missing required one) gets its errors and one line naming the help to read, on standard
    /// error, with exit code 1; a bare <c>fewshot</c> gets the list of commands, as before.
    /// </summary>
    public static int Run(IReadOnlyList<string> args, InvocationConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var parse = Create(configuration.Output, configuration.Error).Parse(args);
        if (parse.Action is not ParseErrorAction refusal || parse.Tokens.Count == 0)
        {
            return parse.Invoke(configuration);
        }

        // The whole help (20 lines for adapt) buried the one line that says what was wrong.
        refusal.ShowHelp = false;
        // Its typo suggestions ("'trian' was not matched. Did you mean one of the following? train") belong with the error.
        var refused = new StringWriter();
        var exit = parse.Invoke(new InvocationConfiguration { Output = refused, Error = refused });
        configuration.Error.Write(InPlainWords(refused.ToString()));
        var names = Ancestry(parse.CommandResult).Reverse().Skip(1).Select(c => c.Command.Name);
        configuration.Error.WriteLine($"see `{string.Join(' ', ["fewshot", .. names])} --help`");
        return exit;
    }

    /// <summary>
    /// The parser's "Cannot parse argument 'abc' for option '--minutes' as expected type 'System.Nullable`1[System.Double]'"
    /// in the user's words: "--minutes takes a number, not 'abc'".
    /// </summary>
    internal static string InPlainWords(string errors) => UnparsedValue().Replace(errors, match =>
    {
        var type = match.Groups["type"].Value;
        var kind = type switch
        {
            "Int32" or "Int64" or "Int16" or "Byte" => "a whole number",
            "Double" or "Single" or "Decimal" => "a number",
            "Boolean" => "true or false",
            _ => type,
        };
        return $"{match.Groups["symbol"].Value} takes {kind}, not '{match.Groups["value"].Value}'.";
    });

    [System.Text.RegularExpressions.GeneratedRegex(@"Cannot parse argument '(?<value>[^']*)' for (?:option|argument) '(?<symbol>[^']*)' as expected type '(?:System\.Nullable`1\[)?System\.(?<type>\w+)\]?'\.")]
    private static partial System.Text.RegularExpressions.Regex UnparsedValue();

    private static IEnumerable<CommandResult> Ancestry(CommandResult? command)
    {
        for (; command is not null; command = command.Parent as CommandResult)
        {
            yield return command;
        }
    }

    private static IEnumerable<Command> Commands(Command command) => [command, .. command.Subcommands.SelectMany(Commands)];

    // No option or argument of fewshot takes an empty string (paths, names, numbers): `--out ""` from a script whose
    // variable was unset is refused by name, instead of failing later with "The value cannot be an empty string".
    private static void RefuseEmptyValues(CommandResult result)
    {
        foreach (var child in result.Children)
        {
            (string Name, string? Description)? symbol = child switch
            {
                OptionResult option => (option.Option.Name, option.Option.Description),
                ArgumentResult argument => ($"the {argument.Argument.Name} argument", argument.Argument.Description),
                _ => null,
            };
            if (symbol is { } named && child.Tokens.Any(token => string.IsNullOrWhiteSpace(token.Value)))
            {
                result.AddError($"{named.Name} was given an empty value{(named.Description is { } description ? $"; it takes: {description}" : "")}");
            }
        }
    }
}
