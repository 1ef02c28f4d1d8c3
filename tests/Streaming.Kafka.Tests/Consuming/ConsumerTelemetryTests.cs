using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;

namespace Streaming.Kafka.Tests.Consuming;

/// <summary>The consumer's process spans, consume latency and lag gauge, seen by in-box listeners, on the embedded broker.</summary>
public sealed class ConsumerTelemetryTests
{
    [Fact]
    public async Task Consume_TraceParentHeader_ProcessSpanIsItsChild_RecordCarriesTheSpansContext()
    {
        using var spans = new SpanRecorder(KafkaTracing.SourceName);
        using var cluster = new KafkaTestCluster(partitions: 1);
        var upstream = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        using (var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers))
        {
            await sink.PublishAsync(KafkaTestCluster.Input, "cam-1"u8.ToArray(), "traced"u8.ToArray(), TraceContextHeaders.Inject(upstream));
            await sink.PublishAsync(KafkaTestCluster.Input, "cam-1"u8.ToArray(), "untraced"u8.ToArray());
        }

        using var received = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers));
        var records = await received.WaitForAsync(2);

        var process = Assert.Single(spans.Stopped, s => s.TraceId == upstream.TraceId);
        Assert.Equal(KafkaTracing.ProcessSpanName(KafkaTestCluster.Input), process.OperationName);
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(upstream.SpanId, process.ParentSpanId);
        Assert.Equal(KafkaTestCluster.Input, process.GetTagItem("messaging.destination.name"));
        Assert.Equal(0L, process.GetTagItem("messaging.kafka.offset"));
        Assert.Equal(cluster.Settings.GroupId, process.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal(process.Context, records[0].TraceContext);

        // No header: a root span of its own, and the record still carries a context for what it contributes to.
        var root = Assert.Single(spans.Stopped, s => s.Context == records[1].TraceContext);
        Assert.Equal(default, root.ParentSpanId);
        Assert.NotEqual(upstream.TraceId, root.TraceId);
    }

    [Fact]
    public async Task ConsumeLatency_FromEachRecordsTimestamp_TaggedWithGroupAndTopic()
    {
        using var cluster = new KafkaTestCluster(partitions: 1);
        using (var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers))
        {
            // A record stamped an hour ago, as a producer with a skewed or replayed clock would send it, then a fresh one.
            using (var producer = new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfig.ForProducer(cluster.Settings, cluster.BootstrapServers)).Build())
                await producer.ProduceAsync(KafkaTestCluster.Input, new Message<byte[]?, byte[]?> { Value = "old"u8.ToArray(), Timestamp = new Timestamp(DateTime.UtcNow.AddHours(-1)) });
            await sink.PublishAsync(KafkaTestCluster.Input, null, "fresh"u8.ToArray());
        }
        var latencies = new ConcurrentQueue<double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument is { Meter.Name: KafkaMetrics.MeterName, Name: KafkaMetrics.ConsumeLatencyName }) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? group = null, topic = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "group") group = tag.Value as string;
                else if (tag.Key == "topic") topic = tag.Value as string;
            }
            // The histogram is process-wide: other tests' consumers report too.
            if (group == cluster.Settings.GroupId && topic == KafkaTestCluster.Input) latencies.Enqueue(value);
        });
        listener.Start();

        using var received = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers));
        await received.WaitForAsync(2);

        var measured = latencies.ToArray();
        Assert.Equal(2, measured.Length);
        Assert.InRange(measured[0], TimeSpan.FromHours(1).TotalMilliseconds, TimeSpan.FromHours(1).TotalMilliseconds + 60_000);
        Assert.InRange(measured[1], 0, 30_000);
    }

    [Fact]
    public async Task ConsumerLag_WhileBehind_Positive_ThenZeroWhenCaughtUp()
    {
        const int count = 50;
        using var cluster = new KafkaTestCluster(partitions: 1);
        using (var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers))
        {
            for (int i = 0; i < count; i++) await sink.PublishAsync(KafkaTestCluster.Input, null, Encoding.UTF8.GetBytes($"m{i}"));
        }
        var lags = new ConcurrentQueue<(int Partition, long Lag)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KafkaMetrics.MeterName && instrument.Name == KafkaMetrics.ConsumerLagName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? group = null, topic = null;
            int partition = -1;
            foreach (var tag in tags)
            {
                if (tag.Key == "group") group = tag.Value as string;
                else if (tag.Key == "topic") topic = tag.Value as string;
                else if (tag.Key == "partition") partition = (int)tag.Value!;
            }
            // The gauge is process-wide: other tests' consumers report too.
            if (group == cluster.Settings.GroupId && topic == KafkaTestCluster.Input) lags.Enqueue((partition, value));
        });
        listener.Start();

        // A slow consumer: 30 ms per record, so the lag is refreshed (every 100 ms commit interval) for well over a
        // second while it is behind, however busy the machine keeps this polling loop.
        using var received = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers), _ => Thread.Sleep(30));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !(received.Records.Count == count && !lags.IsEmpty && lags.Last().Lag == 0))
        {
            listener.RecordObservableInstruments();
            await Task.Delay(20);
        }

        Assert.Equal(count, received.Records.Count);
        Assert.All(lags, l => Assert.Equal(0, l.Partition));
        Assert.Contains(lags, l => l.Lag > 0);
        Assert.All(lags, l => Assert.InRange(l.Lag, 0, count));
        Assert.Equal(0, lags.Last().Lag);
    }
}
