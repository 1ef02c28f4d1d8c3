using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Streaming.Kafka.Consuming;

/// <summary>
/// Per assigned partition, how many records the consumer has yet to read: the high watermark librdkafka last saw in a
/// fetch response minus the consumer's position. Refreshed on the consumer's thread, read by the metrics collector.
/// </summary>
internal sealed class ConsumerLag(string group)
{
    readonly ConcurrentDictionary<TopicPartition, long> lag = new();

    /// <summary>On the consumer's thread: reads the cached watermarks and positions, no request to the broker.</summary>
    public void Refresh(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var partition in consumer.Assignment)
        {
            try
            {
                var high = consumer.GetWatermarkOffsets(partition).High;
                var position = consumer.Position(partition);
                if (high == Offset.Unset) continue;
                // No position yet: nothing was consumed, which is caught up only when the partition is empty.
                if (position == Offset.Unset)
                {
                    if (high.Value == 0) lag[partition] = 0;
                    continue;
                }
                lag[partition] = Math.Max(0, high.Value - position.Value);
            }
            catch (KafkaException error) when (!error.Error.IsFatal)
            {
                // The partition is being revoked or the handle is busy; the next refresh tries again.
            }
        }
    }

    /// <summary>Stops reporting partitions no longer assigned.</summary>
    public void Forget(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions) lag.TryRemove(partition, out _);
    }

    public IEnumerable<Measurement<long>> Measurements() =>
        lag.Select(kv => new Measurement<long>(kv.Value,
            new KeyValuePair<string, object?>("topic", kv.Key.Topic),
            new KeyValuePair<string, object?>("partition", kv.Key.Partition.Value),
            new KeyValuePair<string, object?>("group", group)));
}
