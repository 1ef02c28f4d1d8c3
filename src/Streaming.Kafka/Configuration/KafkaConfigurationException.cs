namespace Streaming.Kafka.Configuration;

/// <summary>A Kafka setting is missing, malformed or contradicts what Streaming's delivery guarantees need.</summary>
public sealed class KafkaConfigurationException(string key, string message) : Exception(message)
{
    /// <summary>The configuration key at fault, e.g. <c>Kafka:CommitIntervalMs</c>.</summary>
    public string Key { get; } = key;
}
