using System.Diagnostics;
using System.Text;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.Producing;

namespace Streaming.Kafka.Tests.Consuming;

public sealed class KafkaSourceTests
{
    [Fact]
    public async Task Consume_PublishedRecord_RoundTripsKeyValueHeadersAndTimestamp()
    {
        using var cluster = new KafkaTestCluster();
        using var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var written = await sink.PublishAsync(KafkaTestCluster.Input, "camera-7"u8.ToArray(), "frame"u8.ToArray(),
            [new("format", "jpeg"u8.ToArray()), new("seq", "42"u8.ToArray())]);

        using var received = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers));
        var record = (await received.WaitForAsync(1)).Single();

        Assert.Equal(written, record.Position);
        Assert.Equal("camera-7", Encoding.UTF8.GetString(record.Key!));
        Assert.Equal("frame", Encoding.UTF8.GetString(record.Value!));
        Assert.Equal(["format", "seq"], record.Headers.Select(h => h.Key));
        Assert.Equal("42", Encoding.UTF8.GetString(record.Headers[1].Value));
        Assert.InRange(record.Timestamp!.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }
}
