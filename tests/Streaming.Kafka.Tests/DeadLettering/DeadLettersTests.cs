using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Telemetry;
using Streaming.Kafka.Tests.Consuming;

namespace Streaming.Kafka.Tests.DeadLettering;

public sealed class DeadLettersTests
{
    static string Text(InputRecord record, string header) =>
        Encoding.UTF8.GetString(record.Headers.Single(h => h.Key == header).Value);

    [Fact]
    public async Task Publish_ConsumedRecord_KeepsOriginalAndAddsReasonSourceAndTime()
    {
        using var cluster = new KafkaTestCluster();
        using var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers);
        var deadLetters = new DeadLetters(sink);
        var reason = "invalid-json-" + Guid.NewGuid().ToString("N")[..6];
        var counted = new ConcurrentBag<(long Value, string? Reason, string? Topic)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == KafkaMetrics.MeterName && instrument.Name == KafkaMetrics.DeadLetterRecordsName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = tags.ToArray();
            string? Tag(string name) => all.FirstOrDefault(t => t.Key == name).Value as string;
            if (Tag("reason") == reason) counted.Add((value, Tag("reason"), Tag("topic")));
        });
        listener.Start();

        var source = await sink.PublishAsync(KafkaTestCluster.Input, "cam-1"u8.ToArray(), "{not json"u8.ToArray(), [new("format", "json"u8.ToArray())]);
        using var inputs = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers));
        var input = (await inputs.WaitForAsync(1)).Single();
        var before = DateTimeOffset.UtcNow;
        var written = await deadLetters.PublishAsync(input, reason);
        input.MarkDone();

        Assert.Equal("test.input.dlq", written.Topic);
        var dlqSettings = cluster.Settings with { InputTopics = [written.Topic], OutputTopic = "unused", GroupId = "dlq-reader" };
        using var dead = new RecordsReceived(KafkaSource.Create(dlqSettings, cluster.BootstrapServers));
        var record = (await dead.WaitForAsync(1)).Single();

        Assert.Equal("cam-1", Encoding.UTF8.GetString(record.Key!));
        Assert.Equal("{not json", Encoding.UTF8.GetString(record.Value!));
        Assert.Equal("json", Text(record, "format"));
        Assert.Equal(reason, Text(record, DeadLetters.ReasonHeader));
        Assert.Equal(KafkaTestCluster.Input, Text(record, DeadLetters.SourceTopicHeader));
        Assert.Equal(source.Partition.Value.ToString(CultureInfo.InvariantCulture), Text(record, DeadLetters.SourcePartitionHeader));
        Assert.Equal(source.Offset.Value.ToString(CultureInfo.InvariantCulture), Text(record, DeadLetters.SourceOffsetHeader));
        var time = DateTimeOffset.Parse(Text(record, DeadLetters.TimeHeader), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        Assert.InRange(time, before.AddSeconds(-1), DateTimeOffset.UtcNow);
        Assert.Equal([(1L, reason, KafkaTestCluster.Input)], counted);
    }

    [Fact]
    public async Task Publish_EmptyReason_ThrowsNamingTheRecord()
    {
        using var cluster = new KafkaTestCluster();
        using var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers);
        await sink.PublishAsync(KafkaTestCluster.Input, null, "x"u8.ToArray());
        using var inputs = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers));
        var input = (await inputs.WaitForAsync(1)).Single();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => new DeadLetters(sink).PublishAsync(input, " "));
        Assert.Contains("test.input [", error.Message);
        Assert.Equal("reason", error.ParamName);
    }
}
