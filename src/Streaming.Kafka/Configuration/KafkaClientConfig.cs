using Confluent.Kafka;

namespace Streaming.Kafka.Configuration;

/// <summary>Maps <see cref="KafkaSettings"/> to librdkafka client configurations, in one place.</summary>
public static class KafkaClientConfig
{
    /// <summary>The consumer's fetch.wait.max.ms unless configured, on an external cluster.</summary>
    public const int FetchWaitMaxMs = 10;

    /// <summary>The consumer's fetch.wait.max.ms unless configured, on the embedded broker (no bootstrap servers configured).</summary>
    public const int EmbeddedFetchWaitMaxMs = 2;

    public static ConsumerConfig ForConsumer(KafkaSettings settings, string bootstrapServers)
    {
        var config = new ConsumerConfig(Merge(settings.Properties, settings.ConsumerProperties))
        {
            BootstrapServers = bootstrapServers,
            GroupId = settings.GroupId,
            ClientId = settings.ClientId + ".consumer",
            // At-least-once: KafkaSource stores an offset only once the outputs of every record before it are acknowledged,
            // and librdkafka commits what is stored in the background (every CommitInterval, on revocation, on close).
            // A commit made on the consuming thread would wait out a coordinator outage (up to session.timeout.ms) with
            // nothing consumed meanwhile; stored offsets let the partitions' leaders serve fetches all along.
            EnableAutoCommit = true,
            AutoCommitIntervalMs = (int)settings.CommitInterval.TotalMilliseconds,
            EnableAutoOffsetStore = false,
        };
        // A new group reads a topic from its start unless told otherwise: no input goes unaccounted for.
        if (config.Get("auto.offset.reset") is null) config.AutoOffsetReset = AutoOffsetReset.Earliest;
        // A rebalance moves only the partitions that change owner: the others keep flowing, and their windows in progress
        // are not read again (with the eager strategies every member gives up everything on every join or leave).
        if (config.Get("partition.assignment.strategy") is null) config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        // Live streams want each frame as soon as it lands. A real broker answers a fetch as soon as a record arrives
        // (fetch.min.bytes 1), so the wait only spaces out empty polls there. The embedded broker, librdkafka's mock
        // cluster, holds every empty fetch for the whole wait even when a record arrives meanwhile: there the wait is
        // the consume latency, and 2 ms keeps it small for about 500 empty polls a second while idle.
        if (config.Get("fetch.wait.max.ms") is null) config.FetchWaitMaxMs = settings.UsesEmbeddedBroker ? EmbeddedFetchWaitMaxMs : FetchWaitMaxMs;
        return config;
    }

    public static ProducerConfig ForProducer(KafkaSettings settings, string bootstrapServers)
    {
        var config = new ProducerConfig(Merge(settings.Properties, settings.ProducerProperties))
        {
            BootstrapServers = bootstrapServers,
            ClientId = settings.ClientId + ".producer",
            // No duplicates or reordering from retries; a delivery report means every in-sync replica has the record.
            EnableIdempotence = true,
            Acks = Acks.All,
        };
        // Predictions are small and late ones lose their worth: batch for at most 1 ms (librdkafka's default is 5). 0 saves
        // about a millisecond per record at low rates but sends a request per record at high ones: bench pipeline measured
        // more CPU and a longer tail at 128 streams with it.
        if (config.Get("linger.ms") is null) config.LingerMs = 1;
        return config;
    }

    static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> shared, IReadOnlyDictionary<string, string> specific)
    {
        var merged = new Dictionary<string, string>(shared);
        foreach (var (name, value) in specific) merged[name] = value;
        return merged;
    }
}
