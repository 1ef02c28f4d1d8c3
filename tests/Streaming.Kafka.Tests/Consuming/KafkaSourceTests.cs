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

    /// <summary>
    /// The group's coordinator is one broker, the partition's leader another. While the coordinator is away the consumer
    /// goes on reading from the leader (a commit on the consuming thread would hold it until the coordinator returned), and
    /// what it settled meanwhile is committed once the coordinator is back.
    /// </summary>
    [Fact]
    public async Task CoordinatorDown_ConsumptionGoesOn_CommitLandsWhenItReturns()
    {
        const int leader = 1, coordinator = 2, before = 10, during = 10;
        using var cluster = new KafkaTestCluster(brokers: 2, partitions: 1);
        cluster.Broker.SetPartitionLeader(KafkaTestCluster.Input, 0, leader);
        cluster.Broker.SetGroupCoordinator(cluster.Settings.GroupId, coordinator);
        using var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers);
        for (var i = 0; i < before; i++) await sink.PublishAsync(KafkaTestCluster.Input, null, Encoding.UTF8.GetBytes($"m{i}"));

        using var received = new RecordsReceived(KafkaSource.Create(cluster.Settings, cluster.BootstrapServers), record => record.MarkDone());
        await received.WaitForAsync(before);
        await UntilCommitted(cluster, before);

        cluster.Broker.SetBrokerDown(coordinator);
        var outage = Stopwatch.StartNew();
        // A record every 100 ms, so that commits fall due between them (every 100 ms here) while the coordinator is away.
        for (var i = before; i < before + during; i++)
        {
            await sink.PublishAsync(KafkaTestCluster.Input, null, Encoding.UTF8.GetBytes($"m{i}"));
            await Task.Delay(100);
        }
        await received.WaitForAsync(before + during, TimeSpan.FromSeconds(3));
        var readWithin = outage.Elapsed;
        cluster.Broker.SetBrokerUp(coordinator);

        Assert.Equal(Enumerable.Range(0, before + during).Select(i => (long)i), received.Records.Select(r => r.Offset));
        await UntilCommitted(cluster, before + during);
        Assert.InRange(readWithin, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }

    /// <summary>Waits until the group's committed position of the input's partition 0 reaches <paramref name="offset"/>.</summary>
    static async Task UntilCommitted(KafkaTestCluster cluster, long offset)
    {
        var waiting = Stopwatch.StartNew();
        long committed = -1;
        while (waiting.Elapsed < TimeSpan.FromSeconds(20))
        {
            committed = cluster.Committed()[0];
            if (committed >= offset) return;
            await Task.Delay(50);
        }
        Assert.Fail($"the group committed {committed}, not {offset}, within 20 s");
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
