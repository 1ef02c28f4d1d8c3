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

    [Fact]
    public async Task Restart_OnlySomeMarkedDone_RedeliversFromTheFirstUnfinishedRecord()
    {
        using var cluster = new KafkaTestCluster(partitions: 1);
        using (var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers))
        {
            for (var i = 0; i < 10; i++) await sink.PublishAsync(KafkaTestCluster.Input, null, Encoding.UTF8.GetBytes($"m{i}"));
        }

        using (var first = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers)))
        {
            var records = await first.WaitForAsync(10);
            // Out of order: 5 and 7 are done, but 4 is not, so the group may only move to offset 4.
            foreach (var offset in new[] { 2, 0, 1, 3, 5, 7 }) records[offset].MarkDone();
        }

        using var second = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers));
        var again = await second.WaitForAsync(6);
        await Task.Delay(300);
        Assert.Equal([4L, 5, 6, 7, 8, 9], second.Records.Select(r => r.Offset));
        Assert.Equal("m4", Encoding.UTF8.GetString(again[0].Value!));
    }

    [Fact]
    public async Task Dispose_WhileIdle_StopsPromptly()
    {
        using var cluster = new KafkaTestCluster();
        var received = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers));
        await Task.Delay(500);
        var stopping = Stopwatch.StartNew();
        received.Dispose();
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Empty(received.Records);
    }

    [Fact]
    public void Create_InvalidSettings_ThrowsBeforeSubscribing()
    {
        using var cluster = new KafkaTestCluster();
        var settings = cluster.Settings with { InputTopics = ["bad topic"] };
        var error = Assert.Throws<Streaming.Kafka.Configuration.KafkaConfigurationException>(() => KafkaSource.Create(settings, cluster.BootstrapServers));
        Assert.Contains("'bad topic'", error.Message);
    }
}
