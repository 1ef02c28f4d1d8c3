using Microsoft.Extensions.Logging;

namespace Streaming.Video.Tests.Ingest;

/// <summary>Keeps every log line written to it, as a console would show them.</summary>
public sealed class RecordingLogger : ILogger
{
    public List<(LogLevel Level, EventId Id, string Message)> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines) Lines.Add((logLevel, eventId, formatter(state, exception)));
    }
}
