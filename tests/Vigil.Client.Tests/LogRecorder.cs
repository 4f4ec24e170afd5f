using System.Collections.Concurrent;

namespace Vigil.Client.Tests;

/// <summary>A logger (and provider) that keeps every entry, so tests can say which warning was written.</summary>
internal sealed class LogRecorder : ILogger, ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries => [.. _entries];

    public string All => string.Join("\n", _entries.Select(e => $"{e.Level} {e.EventId} {e.Message}"));

    public bool Has(int eventId) => _entries.Any(e => e.EventId == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }
}
