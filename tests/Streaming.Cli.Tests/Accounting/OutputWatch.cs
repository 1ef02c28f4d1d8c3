using Confluent.Kafka;

namespace Streaming.Cli.Tests.Accounting;

/// <summary>How many records a topic holds (the sum of its partitions' high watermarks), for timing progress without reading them.</summary>
public sealed class OutputWatch(string bootstrapServers, string topic, int partitions) : IDisposable
{
    readonly IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(
        new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "output-watch", LogConnectionClose = false }).Build();

    /// <summary>The record count, or null while the broker does not answer.</summary>
    public long? Count()
    {
        try
        {
            return Enumerable.Range(0, partitions)
                .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(1)).High.Value);
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    /// <summary>The committed position of <paramref name="groupId"/> in each partition of <paramref name="inputTopic"/> (no commit: 0).</summary>
    public static IReadOnlyList<long> Committed(string bootstrapServers, string groupId, string inputTopic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = groupId }).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(inputTopic, p)), TimeSpan.FromSeconds(10))
            .OrderBy(c => c.Partition.Value).Select(c => c.Offset == Offset.Unset ? 0 : c.Offset.Value).ToList();
    }

    public void Dispose() => consumer.Dispose();
}
