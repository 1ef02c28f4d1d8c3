using Streaming.Kafka.Topics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Tests.Consuming;

namespace Streaming.Kafka.Tests.Accounting;

/// <summary>Every input ends in an output or a dead letter, through a consumer restart and a broker outage.</summary>
public sealed class AccountingTests
{
    const int Inputs = 300;

    static bool IsInvalid(int i) => i % 7 == 3;

    /// <summary>Writes the inputs; returns input value by (partition, offset).</summary>
    static async Task<Dictionary<(int, long), string>> PublishInputs(KafkaTestCluster cluster, int from, int to)
    {
        using var sink = new KafkaSink(cluster.Settings, cluster.BootstrapServers);
        var writes = Enumerable.Range(from, to - from).Select(async i =>
        {
            var value = IsInvalid(i) ? $"bad-{i}" : $"msg-{i}";
            var written = await sink.PublishAsync(KafkaTestCluster.Input, Encoding.UTF8.GetBytes($"stream-{i % 5}"), Encoding.UTF8.GetBytes(value));
            return (Key: (written.Partition.Value, written.Offset.Value), Value: value);
        });
        return (await Task.WhenAll(writes)).ToDictionary(w => w.Key, w => w.Value);
    }

    /// <summary>Reads the output and dead-letter topics from the start in a group of its own, until <paramref name="count"/> records.</summary>
    static async Task<List<(int Partition, long Offset, string Topic, string Value)>> ReadResults(KafkaTestCluster cluster, int count)
    {
        var settings = cluster.Settings with
        {
            GroupId = "auditor",
            InputTopics = [KafkaTestCluster.Output, StreamingTopics.DeadLettersOf(KafkaTestCluster.Input)],
            OutputTopic = "unused",
        };
        using var results = new RecordsReceived(Streaming.Kafka.Consuming.KafkaSource.Create(settings, cluster.BootstrapServers));
        await results.WaitForAsync(count, TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        return results.Records.Select(r =>
        {
            string Header(string name) => Encoding.UTF8.GetString(r.Headers.Single(h => h.Key == name).Value);
            var dead = r.Topic.EndsWith(StreamingTopics.DeadLetterSuffix, StringComparison.Ordinal);
            return (
                int.Parse(Header(dead ? DeadLetters.SourcePartitionHeader : UppercasePipeline.SourcePartitionHeader), CultureInfo.InvariantCulture),
                long.Parse(Header(dead ? DeadLetters.SourceOffsetHeader : UppercasePipeline.SourceOffsetHeader), CultureInfo.InvariantCulture),
                r.Topic,
                Encoding.UTF8.GetString(r.Value!));
        }).ToList();
    }

    static void AssertEveryInputAccounted(Dictionary<(int, long), string> inputs, List<(int Partition, long Offset, string Topic, string Value)> results)
    {
        foreach (var ((partition, offset), value) in inputs)
        {
            var found = results.Where(r => r.Partition == partition && r.Offset == offset).ToList();
            Assert.True(found.Count > 0, $"Input {partition}@{offset} ('{value}') has neither an output nor a dead letter.");
            var expected = value.StartsWith("bad", StringComparison.Ordinal)
                ? (StreamingTopics.DeadLettersOf(KafkaTestCluster.Input), value)
                : (KafkaTestCluster.Output, value.ToUpperInvariant());
            Assert.All(found, r => Assert.Equal(expected, (r.Topic, r.Value)));
        }
        Assert.All(results, r => Assert.True(inputs.ContainsKey((r.Partition, r.Offset)), $"Result for unknown input {r.Partition}@{r.Offset}."));
    }

    [Fact]
    public async Task KillAndRestart_EveryInputOnceOrRepeatedOnlyAcrossTheRestart()
    {
        using var cluster = new KafkaTestCluster(partitions: 3);
        var inputs = await PublishInputs(cluster, 0, Inputs);

        var first = new UppercasePipeline(cluster.Settings, cluster.BootstrapServers, abandonAfter: Inputs / 3);
        while (first.Handled.Count < Inputs / 3)
        {
            Assert.Null(first.Failure);
            await Task.Delay(5);
        }
        await first.StopAsync();
        first.Dispose();
        var committed = cluster.Committed();

        using var second = new UppercasePipeline(cluster.Settings, cluster.BootstrapServers);
        var expectedSecond = inputs.Keys.Where(k => k.Item2 >= committed[k.Item1]).ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (second.Handled.Count < expectedSecond.Count && DateTime.UtcNow < deadline) await Task.Delay(20);
        await second.StopAsync();

        // No input handled twice by one run; the second run resumed exactly at the committed offsets.
        Assert.Equal(first.Handled.Count, first.Handled.Distinct().Count());
        Assert.Equal(second.Handled.Count, second.Handled.Distinct().Count());
        Assert.Equal(expectedSecond, second.Handled.ToHashSet());
        Assert.Equal(Inputs / 3, first.Handled.Count);

        var results = await ReadResults(cluster, first.Handled.Count + second.Handled.Count);
        Assert.Equal(first.Handled.Count + second.Handled.Count, results.Count);
        AssertEveryInputAccounted(inputs, results);
        Assert.Equal(inputs.Count(i => IsInvalidValue(i.Value)), results.Select(r => (r.Partition, r.Offset, r.Topic)).Distinct().Count(r => r.Topic.EndsWith(".dlq", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task LeaderDownMidStream_NothingLost()
    {
        using var cluster = new KafkaTestCluster(brokers: 3, partitions: 1);
        const int leader = 2;
        foreach (var topic in new[] { KafkaTestCluster.Input, KafkaTestCluster.Output, StreamingTopics.DeadLettersOf(KafkaTestCluster.Input) })
        {
            cluster.Broker.SetPartitionLeader(topic, 0, leader);
        }
        using var pipeline = new UppercasePipeline(cluster.Settings, cluster.BootstrapServers);
        var inputs = await PublishInputs(cluster, 0, Inputs / 2);
        while (pipeline.Handled.Count < Inputs / 4) await Task.Delay(5);

        cluster.Broker.SetBrokerDown(leader);
        var duringOutage = PublishInputs(cluster, Inputs / 2, Inputs);
        await Task.Delay(300);
        var handledEarlyInOutage = pipeline.Handled.Count;
        await Task.Delay(1200);
        // The outage is real: with every partition's leader down, nothing can be fetched or acknowledged.
        Assert.Equal(handledEarlyInOutage, pipeline.Handled.Count);
        cluster.Broker.SetBrokerUp(leader);
        foreach (var (key, value) in await duringOutage) inputs.Add(key, value);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (pipeline.Handled.Distinct().Count() < Inputs && DateTime.UtcNow < deadline) await Task.Delay(20);
        await pipeline.StopAsync();
        Assert.Null(pipeline.Failure);

        var results = await ReadResults(cluster, pipeline.Handled.Count);
        Assert.Equal(Inputs, inputs.Count);
        AssertEveryInputAccounted(inputs, results);
    }

    static bool IsInvalidValue(string value) => value.StartsWith("bad", StringComparison.Ordinal);
}
