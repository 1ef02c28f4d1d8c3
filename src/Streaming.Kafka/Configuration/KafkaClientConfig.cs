using Confluent.Kafka;

namespace Streaming.Kafka.Configuration;

/// <summary>Maps <see cref="KafkaSettings"/> to librdkafka client configurations, in one place.</summary>
public static class KafkaClientConfig
{
    public static ConsumerConfig ForConsumer(KafkaSettings settings, string bootstrapServers)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(settings.Properties))
        {
            BootstrapServers = bootstrapServers,
            GroupId = settings.GroupId,
            ClientId = settings.ClientId + ".consumer",
            // At-least-once: offsets are committed by KafkaSource only for records whose outputs the broker acknowledged.
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        };
        // A new group reads a topic from its start unless told otherwise: no input goes unaccounted for.
        if (!settings.Properties.ContainsKey("auto.offset.reset")) config.AutoOffsetReset = AutoOffsetReset.Earliest;
        return config;
    }

    public static ProducerConfig ForProducer(KafkaSettings settings, string bootstrapServers) =>
        new(new Dictionary<string, string>(settings.Properties))
        {
            BootstrapServers = bootstrapServers,
            ClientId = settings.ClientId + ".producer",
            // No duplicates or reordering from retries; a delivery report means every in-sync replica has the record.
            EnableIdempotence = true,
            Acks = Acks.All,
        };
}
