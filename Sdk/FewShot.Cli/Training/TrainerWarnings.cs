using Microsoft.Extensions.Logging;

namespace FewShot.Cli.Training;

/// <summary>
/// The trainer's log as the command line shows it: warnings and errors to the error writer, counted; its
/// informational lines are left out (progress is on the display, validation in the run's metrics.jsonl). A warning is,
/// for one, a run whose tasks stopped running side by side.
/// </summary>
internal sealed class TrainerWarnings(TextWriter error) : ILogger
{
    /// <summary>How many warnings and errors were logged.</summary>
    public int Count { get; private set; }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        Count++;
        error.WriteLine($"{(logLevel == LogLevel.Warning ? "warning" : "error")}: {formatter(state, exception)}");
    }
}
