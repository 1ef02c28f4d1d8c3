using System.Diagnostics;
using Streaming.Pipeline.Acknowledgements;

namespace Streaming.Pipeline.Ingest;

/// <summary>
/// A raw input message as the Kafka edge hands it over: the key (stream id), the value bytes, the message's
/// acknowledgement and the context of the span that processes it (for Kafka, the consumer's span, a child of the
/// message's <c>traceparent</c>; <c>default</c> when untraced). The windows the message ends up in link to that context.
/// </summary>
public sealed record InputMessage(string Key, ReadOnlyMemory<byte> Value, AckToken Ack, ActivityContext Trace = default)
{
    /// <summary>The message's headers in order (a name may repeat); camera frames carry their format, size, time and sequence here.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> Headers { get; init; } = [];
}
