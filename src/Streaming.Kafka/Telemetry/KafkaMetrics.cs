using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Streaming.Kafka.Telemetry;

/// <summary>Instruments of the Kafka edge, under the meter <see cref="MeterName"/>.</summary>
public static class KafkaMetrics
{
    public const string MeterName = "Streaming.Kafka";
    public const string DeadLetterRecordsName = "streaming.dlq.records";
    public const string ClientErrorsName = "streaming.kafka.client.errors";

    static readonly Meter Meter = new(MeterName);

    /// <summary>Records acknowledged on a dead-letter topic, tagged <c>reason</c> and <c>topic</c> (the source topic).</summary>
    static readonly Counter<long> DeadLetterRecords = Meter.CreateCounter<long>(
        DeadLetterRecordsName, "{record}", "Input records dead-lettered, by reason.");

    /// <summary>Errors librdkafka reported and recovers from by itself (broker down, coordinator moved), tagged <c>code</c> and <c>client</c>.</summary>
    static readonly Counter<long> ClientErrors = Meter.CreateCounter<long>(
        ClientErrorsName, "{error}", "Transient errors reported by the Kafka clients.");

    internal static void DeadLettered(string sourceTopic, string reason) =>
        DeadLetterRecords.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("topic", sourceTopic));

    internal static void ClientError(string client, Error error) =>
        ClientErrors.Add(1, new KeyValuePair<string, object?>("code", error.Code.ToString()), new KeyValuePair<string, object?>("client", client));
}
