using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Streaming.Kafka.Telemetry;

/// <summary>Spans of the Kafka edge, under the ActivitySource <see cref="SourceName"/>.</summary>
public static class KafkaTracing
{
    public const string SourceName = "Streaming.Kafka";

    static readonly ActivitySource Spans = new(SourceName);

    /// <summary>The name of the span that processes one consumed record: <c>process &lt;topic&gt;</c>.</summary>
    public static string ProcessSpanName(string topic) => "process " + topic;

    /// <summary>
    /// Starts the Consumer span that processes <paramref name="result"/>, a child of the context in its <c>traceparent</c>
    /// header (a root when it has none), with OpenTelemetry's messaging attributes. It becomes the current span until disposed.
    /// </summary>
    internal static Activity? StartProcess(ConsumeResult<byte[]?, byte[]?> result, ActivityContext parent, string group, string client) =>
        Spans.StartActivity(ProcessSpanName(result.Topic), ActivityKind.Consumer, parent,
        [
            new("messaging.system", "kafka"),
            new("messaging.operation.type", "process"),
            new("messaging.destination.name", result.Topic),
            new("messaging.destination.partition.id", result.Partition.Value.ToString(CultureInfo.InvariantCulture)),
            new("messaging.kafka.offset", result.Offset.Value),
            new("messaging.consumer.group.name", group),
            new("messaging.client.id", client),
        ]);
}
