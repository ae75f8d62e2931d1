namespace FewShot.Samples.EdgeAdapter;

/// <summary>
/// The parsed command line: a command name, <c>--name value</c> options and positional arguments. Deliberately tiny,
/// so that the sample depends on FewShot.Runtime alone. Immutable.
/// </summary>
public sealed class CommandLineArguments
{
    private readonly Dictionary<string, string> _options;

    private CommandLineArguments(string command, Dictionary<string, string> options, IReadOnlyList<string> positionals)
    {
        Command = command;
        _options = options;
        Positionals = positionals;
    }

    /// <summary>The first argument, e.g. "learn".</summary>
    public string Command { get; }

    /// <summary>Arguments that are neither an option name nor its value, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>Splits <paramref name="args"/>: every <c>--name</c> takes the next argument as its value.</summary>
    /// <exception cref="CommandLineException">There is no command, an option has no value, or an option is repeated.</exception>
    public static CommandLineArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new CommandLineException("No command was given; expected 'learn' or 'classify'.");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        for (int i = 1; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                positionals.Add(args[i]);
                continue;
            }

            string name = args[i][2..];
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new CommandLineException($"Option --{name} needs a value.");
            }

            if (!options.TryAdd(name, args[++i]))
            {
                throw new CommandLineException($"Option --{name} is given more than once.");
            }
        }

        return new CommandLineArguments(args[0], options, positionals.AsReadOnly());
    }

    /// <summary>The value of option <c>--<paramref name="name"/></c>.</summary>
    /// <exception cref="CommandLineException">The option is missing.</exception>
    public string Required(string name) =>
        _options.TryGetValue(name, out string? value) ? value : throw new CommandLineException($"'{Command}' needs --{name}.");

    /// <summary>The value of option <c>--<paramref name="name"/></c>, or null when it is not given.</summary>
    public string? Optional(string name) => _options.GetValueOrDefault(name);

    /// <summary>Checks that every option given is one of <paramref name="known"/>.</summary>
    /// <exception cref="CommandLineException">An option is not known to the command.</exception>
    public void RequireOnly(params string[] known)
    {
        foreach (string name in _options.Keys)
        {
            if (!known.Contains(name))
            {
                throw new CommandLineException($"'{Command}' has no option --{name}; its options are {string.Join(", ", known.Select(k => "--" + k))}.");
            }
        }
    }
}
