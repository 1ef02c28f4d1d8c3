using Confluent.Kafka;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Native;
using Streaming.Kafka.Telemetry;
using Streaming.Kafka.Topics;

namespace Streaming.Kafka.Producing;

/// <summary>
/// An idempotent producer whose <see cref="PublishAsync"/> completes only when the broker has
/// acknowledged the record, so that callers can then mark the records it came from done.
/// </summary>
public sealed class KafkaSink : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for records still in flight.</summary>
    static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    readonly IProducer<byte[]?, byte[]?> producer;

    public KafkaSink(KafkaSettings settings, string bootstrapServers)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        LibRdKafka.EnsureLoaded();
        var config = KafkaClientConfig.ForProducer(settings, bootstrapServers);
        producer = new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => KafkaMetrics.ClientError(config.ClientId, error))
            .Build();
    }

    /// <summary>
    /// Sends one record and waits for its delivery report (acks=all). Retries are librdkafka's and
    /// idempotent, so awaiting each call costs latency but never duplicates or reorders.
    /// </summary>
    /// <returns>Where the record was written.</returns>
    /// <exception cref="ProduceException{TKey, TValue}">The broker rejected the record or it timed out (message.timeout.ms).</exception>
    public async Task<TopicPartitionOffset> PublishAsync(string topic, byte[]? key, byte[]? value,
        IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null, CancellationToken cancellationToken = default)
    {
        TopicName.Validate(topic, nameof(topic));
        var message = new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = [] };
        foreach (var (name, bytes) in headers ?? []) message.Headers.Add(name, bytes);
        var report = await producer.ProduceAsync(topic, message, cancellationToken).ConfigureAwait(false);
        return report.TopicPartitionOffset;
    }

    public void Dispose()
    {
        producer.Flush(FlushTimeout);
        producer.Dispose();
    }
}
