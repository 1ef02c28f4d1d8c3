using Streaming.Kafka.Topics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Telemetry;

namespace Streaming.Kafka.DeadLettering;

/// <summary>
/// Sends input records that produce no output to <c>&lt;source topic&gt;.dlq</c>: original key, value and
/// headers plus <c>dlq.*</c> headers saying why and where from. Counted per reason in
/// <see cref="KafkaMetrics.DeadLetterRecordsName"/>.
/// </summary>
public sealed class DeadLetters(KafkaSink sink, TimeProvider? time = null)
{
    public const string ReasonHeader = "dlq.reason";
    public const string SourceTopicHeader = "dlq.source.topic";
    public const string SourcePartitionHeader = "dlq.source.partition";
    public const string SourceOffsetHeader = "dlq.source.offset";
    /// <summary>When the record was dead-lettered, ISO 8601 UTC (round-trip format).</summary>
    public const string TimeHeader = "dlq.time";

    /// <summary>The human-readable explanation behind the reason, when there is one.</summary>
    public const string DetailHeader = "dlq.detail";

    readonly KafkaSink sink = sink ?? throw new ArgumentNullException(nameof(sink));
    readonly TimeProvider time = time ?? TimeProvider.System;

    /// <summary>Publishes <paramref name="record"/> to its dead-letter topic and waits for the broker's acknowledgement.</summary>
    /// <param name="reason">Short, low-cardinality cause such as <c>invalid-json</c>; it tags the counter.</param>
    /// <param name="detail">What exactly was wrong, for people (header <c>dlq.detail</c>); optional.</param>
    /// <remarks>Does not mark <paramref name="record"/> done: the caller does, after this returns.</remarks>
    public async Task<TopicPartitionOffset> PublishAsync(InputRecord record, string reason, string? detail = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException($"A dead-letter reason is required for {record}; got '{reason}'.", nameof(reason));
        }
        var headers = new List<KeyValuePair<string, byte[]>>(record.Headers)
        {
            Header(ReasonHeader, reason),
            Header(SourceTopicHeader, record.Topic),
            Header(SourcePartitionHeader, record.Partition.ToString(CultureInfo.InvariantCulture)),
            Header(SourceOffsetHeader, record.Offset.ToString(CultureInfo.InvariantCulture)),
            Header(TimeHeader, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)),
        };
        if (!string.IsNullOrEmpty(detail)) headers.Add(Header(DetailHeader, detail));
        var written = await sink.PublishAsync(StreamingTopics.DeadLettersOf(record.Topic), record.Key, record.Value, headers, cancellationToken).ConfigureAwait(false);
        KafkaMetrics.DeadLettered(record.Topic, reason);
        return written;
    }

    static KeyValuePair<string, byte[]> Header(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));
}
