using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Streaming.Cli.Hosting;

/// <summary>
/// Log lines on standard error, one per event: UTC time, level, category, message, and the exception's message (the
/// stack trace at Debug). The NuGet copy here has no console logging provider, and this is all the service needs.
/// </summary>
public sealed class ConsoleLog(string category, LogLevel minimum) : ILogger
{
    static readonly Lock Gate = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {Level(logLevel)} {category}: {formatter(state, exception)}");
        if (exception is not null) line += minimum <= LogLevel.Debug ? Environment.NewLine + exception : $" ({exception.GetType().Name}: {exception.Message})";
        lock (Gate) Console.Error.WriteLine(line);
    }

    static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };
}
