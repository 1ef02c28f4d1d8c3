using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Streaming.Kafka.Consuming;

namespace Streaming.Kafka.Telemetry;

/// <summary>Instruments of the Kafka edge, under the meter <see cref="MeterName"/>.</summary>
public static class KafkaMetrics
{
    public const string MeterName = "Streaming.Kafka";
    public const string DeadLetterRecordsName = "streaming.dlq.records";
    public const string ClientErrorsName = "streaming.kafka.client.errors";
    public const string ConsumerLagName = "streaming.kafka.consumer.lag";
    public const string ConsumeLatencyName = "streaming.kafka.consume.latency";

    static readonly Meter Meter = new(MeterName);

    /// <summary>Records acknowledged on a dead-letter topic, tagged <c>reason</c> and <c>topic</c> (the source topic).</summary>
    static readonly Counter<long> DeadLetterRecords = Meter.CreateCounter<long>(
        DeadLetterRecordsName, "{record}", "Input records dead-lettered, by reason.");

    /// <summary>Errors librdkafka reported and recovers from by itself (broker down, coordinator moved), tagged <c>code</c> and <c>client</c>.</summary>
    static readonly Counter<long> ClientErrors = Meter.CreateCounter<long>(
        ClientErrorsName, "{error}", "Transient errors reported by the Kafka clients.");

    /// <summary>
    /// From a record's timestamp (its producer's clock at the send, or the broker's with LogAppendTime) to a consumer of
    /// this process taking it, tagged <c>group</c> and <c>topic</c>: the producer's linger, the broker and the fetch. Kafka
    /// timestamps have millisecond resolution, so each value is up to 1 ms high; clock skew that would make it negative counts as 0.
    /// </summary>
    static readonly Histogram<double> ConsumeLatency = Meter.CreateHistogram<double>(
        ConsumeLatencyName, "ms", "From a record's timestamp to its consumption, by consumer group and topic.");

    /// <summary>The consumers running in this process, each reporting its partitions' lag.</summary>
    static readonly ConcurrentDictionary<ConsumerLag, byte> Consumers = new();

    /// <summary>
    /// Records each consumer has yet to read per assigned partition (high watermark minus position), tagged <c>topic</c>,
    /// <c>partition</c> and <c>group</c>; refreshed every commit interval. 0 when caught up.
    /// </summary>
    static readonly ObservableGauge<long> ConsumerLagGauge = Meter.CreateObservableGauge(
        ConsumerLagName, () => Consumers.Keys.SelectMany(c => c.Measurements()), "{record}", "Records not yet consumed, per partition.");

    internal static void Track(ConsumerLag consumer) => Consumers.TryAdd(consumer, 0);

    internal static void Untrack(ConsumerLag consumer) => Consumers.TryRemove(consumer, out _);

    internal static void DeadLettered(string sourceTopic, string reason) =>
        DeadLetterRecords.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("topic", sourceTopic));

    internal static void Consumed(string group, string topic, TimeSpan sinceTimestamp) =>
        ConsumeLatency.Record(Math.Max(0, sinceTimestamp.TotalMilliseconds),
            new KeyValuePair<string, object?>("group", group), new KeyValuePair<string, object?>("topic", topic));

    internal static void ClientError(string client, Error error) =>
        ClientErrors.Add(1, new KeyValuePair<string, object?>("code", error.Code.ToString()), new KeyValuePair<string, object?>("client", client));
}
