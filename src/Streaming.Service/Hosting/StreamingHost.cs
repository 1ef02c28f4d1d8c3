using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streaming.Service.Configuration;
using Streaming.Service.Telemetry;

namespace Streaming.Service.Hosting;

/// <summary>
/// The generic host of <c>streaming run</c>: Streaming's configuration layers, its console log, OpenTelemetry, the health
/// endpoints and the <see cref="StreamingWorker"/>. The console lifetime turns SIGTERM and Ctrl+C into a graceful stop,
/// bounded by the drain timeout plus a margin for closing the clients.
/// </summary>
public static class StreamingHost
{
    /// <summary>Time beyond the drain for the final commit, leaving the group and flushing the producer.</summary>
    public static readonly TimeSpan CloseMargin = TimeSpan.FromSeconds(5);

    public static IHost Build(ServiceConfiguration settings, IConfiguration configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddStreamingConsole(settings.LogLevel);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Host.DrainTimeout + CloseMargin);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddStreamingTelemetry(settings.Telemetry);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Host);
        builder.Services.AddSingleton<ServiceReadiness>();
        // Health first: hosted services start in order and stop in reverse, so the endpoints outlive the drain.
        builder.Services.AddHostedService<HealthEndpoints>();
        builder.Services.AddSingleton<StreamingWorker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StreamingWorker>());
        return builder.Build();
    }
}
