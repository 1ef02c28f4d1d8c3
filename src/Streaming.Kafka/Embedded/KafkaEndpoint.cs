using Streaming.Kafka.Topics;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.DeadLettering;

namespace Streaming.Kafka.Embedded;

/// <summary>
/// The Kafka cluster the settings point to: the configured bootstrap servers, or, when none are
/// configured, an <see cref="EmbeddedBroker"/> started here with the input, output and dead-letter topics.
/// </summary>
public sealed class KafkaEndpoint : IDisposable
{
    KafkaEndpoint(string bootstrapServers, EmbeddedBroker? broker)
    {
        BootstrapServers = bootstrapServers;
        Broker = broker;
    }

    public string BootstrapServers { get; }

    /// <summary>The in-process broker, or null when an external cluster is used.</summary>
    public EmbeddedBroker? Broker { get; }

    public static KafkaEndpoint Open(KafkaSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (!settings.UsesEmbeddedBroker) return new KafkaEndpoint(settings.BootstrapServers, null);
        var broker = new EmbeddedBroker(settings.EmbeddedBrokers);
        try
        {
            foreach (var topic in settings.InputTopics)
            {
                broker.CreateTopic(topic, settings.EmbeddedPartitions);
                broker.CreateTopic(StreamingTopics.DeadLettersOf(topic), settings.EmbeddedPartitions);
            }
            broker.CreateTopic(settings.OutputTopic, settings.EmbeddedPartitions);
            return new KafkaEndpoint(broker.BootstrapServers, broker);
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }

    public void Dispose() => Broker?.Dispose();
}
