using Microsoft.Extensions.Logging;

namespace FewShot.Runtime.Tests;

/// <summary>Keeps what is logged, from any thread (Load opens its sessions side by side).</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Text)> _messages = [];

    public IReadOnlyList<(LogLevel Level, string Text)> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_messages)
        {
            _messages.Add((logLevel, formatter(state, exception)));
        }
    }
}
