using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Streaming.Kafka.Telemetry;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Cli.Hosting;

/// <summary>Where OpenTelemetry data goes (section <c>Telemetry</c>); no endpoint, no export.</summary>
public sealed record TelemetrySettings
{
    /// <summary>The OTLP receiver, e.g. http://localhost:4317 (gRPC) or http://localhost:4318 (HTTP).</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>.</summary>
    public string Protocol { get; init; } = "grpc";

    public string ServiceName { get; init; } = "streaming";

    public int MetricExportIntervalMs { get; init; } = 5000;

    public TelemetrySettings Validate()
    {
        if (OtlpEndpoint is { Length: > 0 } e && !Uri.TryCreate(e, UriKind.Absolute, out _))
            throw new ArgumentException($"Telemetry:OtlpEndpoint '{e}' is not an absolute URI (e.g. http://localhost:4317).");
        if (Protocol is not ("grpc" or "http/protobuf"))
            throw new ArgumentException($"Telemetry:Protocol '{Protocol}' must be grpc or http/protobuf.");
        if (MetricExportIntervalMs < 100)
            throw new ArgumentException($"Telemetry:MetricExportIntervalMs {MetricExportIntervalMs} is below 100 ms.");
        return this;
    }
}

/// <summary>
/// Exports the spans and metrics of the pipeline and the Kafka edge over OTLP while the returned handle lives. The
/// sources are the in-box <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>
/// names of those components, so they cost nothing when no exporter listens.
/// </summary>
public static class TelemetryExport
{
    /// <summary>The ActivitySources exported: the pipeline's windows and inference, the Kafka edge's process spans.</summary>
    public static readonly string[] SpanSources = [PipelineTelemetry.Name, KafkaTracing.SourceName];

    /// <summary>The Meters exported.</summary>
    public static readonly string[] MeterNames = [PipelineTelemetry.Name, KafkaMetrics.MeterName];

    public static IDisposable Start(TelemetrySettings settings)
    {
        settings.Validate();
        if (settings.OtlpEndpoint is not { Length: > 0 } endpoint) return new Handles(null, null);
        void Configure(OtlpExporterOptions o)
        {
            o.Endpoint = new Uri(endpoint);
            o.Protocol = settings.Protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }
        var resource = ResourceBuilder.CreateDefault().AddService(settings.ServiceName);
        var tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(SpanSources)
            .AddOtlpExporter(o =>
            {
                Configure(o);
                if (o.Protocol == OtlpExportProtocol.HttpProtobuf) o.Endpoint = new Uri(new Uri(endpoint), "v1/traces");
            })
            .Build();
        var meter = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(MeterNames)
            .AddOtlpExporter((o, reader) =>
            {
                Configure(o);
                if (o.Protocol == OtlpExportProtocol.HttpProtobuf) o.Endpoint = new Uri(new Uri(endpoint), "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = settings.MetricExportIntervalMs;
            })
            .Build();
        return new Handles(tracer, meter);
    }

    sealed class Handles(TracerProvider? tracer, MeterProvider? meter) : IDisposable
    {
        public void Dispose()
        {
            tracer?.Dispose();
            meter?.Dispose();
        }
    }
}
