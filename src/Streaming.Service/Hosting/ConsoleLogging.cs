using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Streaming.Service.Hosting;

/// <summary>
/// The service's log: one line per event on standard error (standard output stays for what commands print), UTC time
/// first. The framework's own categories log warnings and above.
/// </summary>
public static class ConsoleLogging
{
    public static ILoggingBuilder AddStreamingConsole(this ILoggingBuilder logging, LogLevel minimum)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(minimum);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // A start that fails (a model folder that does not load) reaches the command, which prints its message as one
        // line; the host's own log of it would repeat it with the stack.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        return logging;
    }

    /// <summary>A logger factory with the same log, for the commands that run the service without the host (demo, bench).</summary>
    public static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(logging => logging.AddStreamingConsole(minimum));
}
