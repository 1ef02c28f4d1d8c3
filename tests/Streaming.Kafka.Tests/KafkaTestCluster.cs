using Confluent.Kafka;
using Streaming.Kafka.Topics;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Embedded;

namespace Streaming.Kafka.Tests;

/// <summary>An embedded broker with one input topic (and its dead-letter topic) and one output topic, and settings tuned for it.</summary>
internal sealed class KafkaTestCluster : IDisposable
{
    public const string Input = "test.input";
    public const string Output = "test.output";

    public KafkaTestCluster(int brokers = 1, int partitions = 2)
    {
        Partitions = partitions;
        Broker = new EmbeddedBroker(brokers);
        Broker.CreateTopic(Input, partitions);
        Broker.CreateTopic(StreamingTopics.DeadLettersOf(Input), partitions);
        Broker.CreateTopic(Output, partitions);
        Settings = new KafkaSettings
        {
            BootstrapServers = Broker.BootstrapServers,
            GroupId = "test-group-" + Guid.NewGuid().ToString("N")[..8],
            InputTopics = [Input],
            OutputTopic = Output,
            CommitInterval = TimeSpan.FromMilliseconds(100),
            // The mock cluster answers in microseconds: short timeouts keep rebalances and retries fast.
            Properties = new Dictionary<string, string>
            {
                ["socket.timeout.ms"] = "5000",
                ["reconnect.backoff.max.ms"] = "200",
            },
            ConsumerProperties = new Dictionary<string, string>
            {
                ["session.timeout.ms"] = "6000",
                ["heartbeat.interval.ms"] = "200",
            },
            ProducerProperties = new Dictionary<string, string> { ["linger.ms"] = "1", ["retry.backoff.ms"] = "50" },
        };
    }

    public EmbeddedBroker Broker { get; }
    public KafkaSettings Settings { get; }
    public string BootstrapServers => Broker.BootstrapServers;

    /// <summary>Partitions of each topic.</summary>
    public int Partitions { get; }

    /// <summary>The group's committed position per partition of the input topic, 0 where it has none (OffsetFetch; joins no group).</summary>
    public Dictionary<int, long> Committed()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfig.ForConsumer(Settings, BootstrapServers)).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Input, p));
        return consumer.Committed(partitions, TimeSpan.FromSeconds(10))
            .ToDictionary(c => c.Partition.Value, c => c.Offset == Offset.Unset ? 0 : c.Offset.Value);
    }

    public void Dispose() => Broker.Dispose();
}
