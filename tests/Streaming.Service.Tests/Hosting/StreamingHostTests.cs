using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Pipeline.Contracts;
using Streaming.Service.Configuration;
using Streaming.Service.Hosting;

namespace Streaming.Service.Tests.Hosting;

/// <summary>
/// `streaming run`'s host in this process against an embedded broker: /healthz and /readyz for orchestrators, the
/// Prometheus scrape endpoint with the pipeline's and the Kafka edge's metrics, and a stop that drains within its bound.
/// </summary>
public sealed class StreamingHostTests
{
    [Fact]
    public async Task Host_ServesHealthReadinessAndPrometheus_AndStopsWithinItsBound()
    {
        var group = "host-" + Guid.NewGuid().ToString("N")[..8];
        var kafka = new KafkaSettings { EmbeddedPartitions = 1 };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;
        int healthPort = FreePort(), metricsPort = FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:GroupId"] = group,
            ["Pipeline:Model"] = Path.Combine(RepositoryFiles.Root, "samples", "baseline"),
            ["Pipeline:PerStreamCapacity"] = "64",
            ["Service:HealthPort"] = healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Service:DrainTimeoutSeconds"] = "5",
            ["Telemetry:PrometheusPort"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Every interface, as in a container (the exporter takes no wildcard host of its own).
            ["Service:HealthHost"] = "*",
            ["Telemetry:PrometheusHost"] = "*",
            ["Logging:Level"] = "Warning",
        }).Build();
        var settings = ServiceConfiguration.From(configuration);
        var outputs = new List<ActionPrediction>();
        using var reader = ServiceFeed.Read(kafka, bootstrap, outputs);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var health = $"http://localhost:{healthPort}";

        using var host = StreamingHost.Build(settings, configuration);
        await host.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(health + "/healthz")).StatusCode);
        await ServiceFeed.Until(() => http.GetAsync(health + "/readyz").Result.StatusCode == HttpStatusCode.OK, "readiness");
        Assert.Equal("ready", (await http.GetStringAsync(health + "/readyz")).Trim());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(health + "/other")).StatusCode);

        await ServiceFeed.Publish(kafka, bootstrap, ServiceFeed.Frames("cam", 0, 30));
        await ServiceFeed.Until(() => ServiceFeed.Count(outputs) == 6, "6 predictions downstream");

        // The consumer's lag is read with each commit (every second), a window's latency when the broker acknowledges its
        // prediction (which can come after the reader above has seen it), and the exporter collects on a scrape what was
        // recorded before it: scrape until every series is there.
        string[] series = ["streaming_pipeline_windows_total", "streaming_pipeline_end_to_end_latency_milliseconds_bucket",
            "streaming_pipeline_windows_in_flight", "streaming_kafka_consumer_lag"];
        var scrape = "";
        await ServiceFeed.Until(() => (scrape = http.GetStringAsync($"http://localhost:{metricsPort}/metrics").Result) is var text
            && series.All(name => text.Contains(name, StringComparison.Ordinal)),
            "every series in a scrape", 20, () => scrape);

        var clock = Stopwatch.StartNew();
        await host.StopAsync();
        Assert.True(clock.Elapsed < settings.Host.DrainTimeout + StreamingHost.CloseMargin, $"the stop took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(0, host.Services.GetRequiredService<StreamingWorker>().ExitCode);
        // Windows 0..5 published and committed; frames 18..29 wait for windows 6..9, uncommitted, for the next member.
        Assert.Equal(18, ServiceFeed.Committed(bootstrap, group, kafka.InputTopics[0]));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(health + "/healthz"));
    }

    [Fact]
    public void Configuration_BadPorts_NameTheKey()
    {
        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Service:HealthPort"] = "70000" }).Build();
        Assert.Contains("Service:HealthPort", Assert.Throws<ArgumentException>(() => ServiceConfiguration.From(bad)).Message);
        bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:PrometheusPort"] = "-1" }).Build();
        Assert.Contains("Telemetry:PrometheusPort", Assert.Throws<ArgumentException>(() => ServiceConfiguration.From(bad)).Message);
        bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Service:DrainTimeoutSeconds"] = "0" }).Build();
        Assert.Contains("Service:DrainTimeoutSeconds", Assert.Throws<ArgumentException>(() => ServiceConfiguration.From(bad)).Message);
        bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Service:HealthHost"] = " " }).Build();
        Assert.Contains("Service:HealthHost", Assert.Throws<ArgumentException>(() => ServiceConfiguration.From(bad)).Message);
        bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:PrometheusHost"] = "" }).Build();
        Assert.Contains("Telemetry:PrometheusHost", Assert.Throws<ArgumentException>(() => ServiceConfiguration.From(bad)).Message);
        bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:MaxBatchSize"] = "many" }).Build();
        Assert.Contains("configuration section 'Pipeline'", Assert.Throws<ArgumentException>(() => ServiceConfiguration.From(bad)).Message);
    }

    [Fact]
    public async Task HealthPortTaken_StartFailsNamingTheSetting()
    {
        using var taken = new HttpListener();
        var port = FreePort();
        taken.Prefixes.Add($"http://localhost:{port}/");
        taken.Start();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Service:HealthPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Pipeline:Model"] = Path.Combine(RepositoryFiles.Root, "samples", "baseline"),
        }).Build();
        using var host = StreamingHost.Build(ServiceConfiguration.From(configuration), configuration);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Service:HealthPort", error.Message);
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
