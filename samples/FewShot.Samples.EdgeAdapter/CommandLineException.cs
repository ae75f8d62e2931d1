namespace FewShot.Samples.EdgeAdapter;

/// <summary>The command line is wrong: an unknown command or option, a missing or invalid value. The message says which.</summary>
public sealed class CommandLineException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what was expected.</param>
    public CommandLineException(string message)
        : base(message)
    {
    }
}
