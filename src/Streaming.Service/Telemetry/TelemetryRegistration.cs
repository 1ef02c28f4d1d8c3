using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Streaming.Kafka.Telemetry;
using Streaming.Pipeline.Telemetry;
using Streaming.Video.Telemetry;

namespace Streaming.Service.Telemetry;

/// <summary>
/// OpenTelemetry for the host (<c>AddOpenTelemetry()</c>): the spans and metrics of the pipeline, the Kafka and video edges, to
/// OTLP, the console and a Prometheus scrape endpoint as <see cref="TelemetrySettings"/> says. The sources are in-box
/// <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> names, so they cost
/// nothing when nothing is exported.
/// </summary>
public static class TelemetryRegistration
{
    /// <summary>The ActivitySources exported: the pipeline's windows and inference, the Kafka edge's process spans.</summary>
    public static readonly string[] SpanSources = [PipelineTelemetry.Name, KafkaTracing.SourceName];

    /// <summary>The Meters exported.</summary>
    public static readonly string[] MeterNames = [PipelineTelemetry.Name, KafkaMetrics.MeterName, VideoMetrics.MeterName];

    public static IServiceCollection AddStreamingTelemetry(this IServiceCollection services, TelemetrySettings settings)
    {
        settings.Validate();
        if (!settings.Exports) return services;
        var otlp = settings.OtlpEndpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        var protocol = settings.Protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        // Over HTTP each signal has its own path on the receiver; over gRPC the endpoint is the receiver.
        Uri Signal(string path) => protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(otlp!, path) : otlp!;
        var builder = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(settings.ServiceName));
        if (otlp is not null || settings.Console)
        {
            builder.WithTracing(tracing =>
            {
                tracing.AddSource(SpanSources);
                if (otlp is not null) tracing.AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (Signal("v1/traces"), protocol));
                if (settings.Console) tracing.AddConsoleExporter();
            });
        }
        builder.WithMetrics(metrics =>
        {
            metrics.AddMeter(MeterNames);
            if (otlp is not null)
            {
                metrics.AddOtlpExporter((o, reader) =>
                {
                    (o.Endpoint, o.Protocol) = (Signal("v1/metrics"), protocol);
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.MetricExportIntervalMs;
                });
            }
            if (settings.Console)
                metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.MetricExportIntervalMs);
            if (settings.PrometheusPort > 0)
                metrics.AddPrometheusHttpListener(o =>
                {
                    (o.Host, o.Port) = (settings.PrometheusHost, settings.PrometheusPort);
                    if (settings.PrometheusHost != "*") return;
                    // The exporter builds its prefix from a host name; every interface is HttpListener's wildcard prefix.
                    o.Host = "localhost";
                    o.ConfigureHttpListener = (_, listener) =>
                    {
                        listener.Prefixes.Clear();
                        listener.Prefixes.Add($"http://+:{settings.PrometheusPort}/");
                    };
                });
        });
        return services;
    }
}
