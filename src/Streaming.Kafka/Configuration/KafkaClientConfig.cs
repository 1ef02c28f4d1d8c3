using Confluent.Kafka;

namespace Streaming.Kafka.Configuration;

/// <summary>Maps <see cref="KafkaSettings"/> to librdkafka client configurations, in one place.</summary>
public static class KafkaClientConfig
{
    public static ConsumerConfig ForConsumer(KafkaSettings settings, string bootstrapServers)
    {
        var config = new ConsumerConfig(Merge(settings.Properties, settings.ConsumerProperties))
        {
            BootstrapServers = bootstrapServers,
            GroupId = settings.GroupId,
            ClientId = settings.ClientId + ".consumer",
            // At-least-once: offsets are committed by KafkaSource only for records whose outputs the broker acknowledged.
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        };
        // A new group reads a topic from its start unless told otherwise: no input goes unaccounted for.
        if (config.Get("auto.offset.reset") is null) config.AutoOffsetReset = AutoOffsetReset.Earliest;
        return config;
    }

    public static ProducerConfig ForProducer(KafkaSettings settings, string bootstrapServers) =>
        new(Merge(settings.Properties, settings.ProducerProperties))
        {
            BootstrapServers = bootstrapServers,
            ClientId = settings.ClientId + ".producer",
            // No duplicates or reordering from retries; a delivery report means every in-sync replica has the record.
            EnableIdempotence = true,
            Acks = Acks.All,
        };

    static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> shared, IReadOnlyDictionary<string, string> specific)
    {
        var merged = new Dictionary<string, string>(shared);
        foreach (var (name, value) in specific) merged[name] = value;
        return merged;
    }
}
