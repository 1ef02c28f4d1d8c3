using System.Diagnostics;
using Confluent.Kafka;

namespace Streaming.Kafka.Consuming;

/// <summary>
/// One consumed Kafka message. Call <see cref="MarkDone"/> once every output it contributed to is
/// acknowledged by the broker, or once it is dead-lettered: only then may its offset be committed.
/// </summary>
public sealed class InputRecord
{
    readonly OffsetLedger ledger;

    internal InputRecord(OffsetLedger ledger, TopicPartitionOffset position, byte[]? key, byte[]? value,
        IReadOnlyList<KeyValuePair<string, byte[]>> headers, DateTimeOffset? timestamp, ActivityContext traceContext)
    {
        TraceContext = traceContext;
        this.ledger = ledger;
        Position = position;
        Key = key;
        Value = value;
        Headers = headers;
        Timestamp = timestamp;
    }

    public TopicPartitionOffset Position { get; }
    public string Topic => Position.Topic;
    public int Partition => Position.Partition.Value;
    public long Offset => Position.Offset.Value;

    /// <summary>The stream id by the contracts; null for an unkeyed message.</summary>
    public byte[]? Key { get; }
    public byte[]? Value { get; }
    public IReadOnlyList<KeyValuePair<string, byte[]>> Headers { get; }

    /// <summary>The broker's or producer's timestamp; null when the message carries none.</summary>
    public DateTimeOffset? Timestamp { get; }

    /// <summary>
    /// The context of the span that processed this record, a child of its <c>traceparent</c> header; the header's own
    /// context when nothing traces the Kafka edge; <c>default</c> when neither. Work derived from the record links to it.
    /// </summary>
    public ActivityContext TraceContext { get; }

    /// <summary>Lets the offset be committed (at-least-once): call after the outputs are acknowledged or the record is dead-lettered.</summary>
    public void MarkDone() => ledger.MarkDone(Position.TopicPartition, Offset);

    public override string ToString() => $"{Topic} [{Partition}] @{Offset}";
}
