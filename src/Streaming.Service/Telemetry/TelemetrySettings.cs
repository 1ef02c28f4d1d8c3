namespace Streaming.Service.Telemetry;

/// <summary>Where OpenTelemetry data goes (section <c>Telemetry</c>): OTLP, the console, a Prometheus scrape endpoint; none by default.</summary>
public sealed record TelemetrySettings
{
    public const string SectionName = "Telemetry";

    /// <summary>The OTLP receiver, e.g. http://localhost:4317 (gRPC) or http://localhost:4318 (HTTP).</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary><c>grpc</c> or <c>http/protobuf</c>.</summary>
    public string Protocol { get; init; } = "grpc";

    /// <summary>Writes spans and metrics to standard output (<c>--telemetry console</c>), for a look without a collector.</summary>
    public bool Console { get; init; }

    /// <summary>Serves the metrics for Prometheus to scrape at <c>http://PrometheusHost:PrometheusPort/metrics</c>; 0 serves none.</summary>
    public int PrometheusPort { get; init; }

    /// <summary>The host name the scrape endpoint binds to: <c>localhost</c>, or <c>*</c> for every interface (in a container).</summary>
    public string PrometheusHost { get; init; } = "localhost";

    public string ServiceName { get; init; } = "streaming";

    public int MetricExportIntervalMs { get; init; } = 5000;

    /// <summary>Whether anything is exported at all.</summary>
    public bool Exports => OtlpEndpoint is { Length: > 0 } || Console || PrometheusPort > 0;

    public TelemetrySettings Validate()
    {
        if (OtlpEndpoint is { Length: > 0 } e && !Uri.TryCreate(e, UriKind.Absolute, out _))
            throw new ArgumentException($"Telemetry:OtlpEndpoint '{e}' is not an absolute URI (e.g. http://localhost:4317).");
        if (Protocol is not ("grpc" or "http/protobuf"))
            throw new ArgumentException($"Telemetry:Protocol '{Protocol}' must be grpc or http/protobuf.");
        if (MetricExportIntervalMs < 100)
            throw new ArgumentException($"Telemetry:MetricExportIntervalMs {MetricExportIntervalMs} is below 100 ms.");
        if (PrometheusPort is < 0 or > 65535)
            throw new ArgumentException($"Telemetry:PrometheusPort {PrometheusPort} is not a TCP port (1-65535, or 0 for no scrape endpoint).");
        if (string.IsNullOrWhiteSpace(PrometheusHost))
            throw new ArgumentException("Telemetry:PrometheusHost is empty: give a host name such as localhost, or * for every interface.");
        return this;
    }
}
