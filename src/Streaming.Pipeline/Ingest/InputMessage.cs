using Streaming.Pipeline.Acknowledgements;

namespace Streaming.Pipeline.Ingest;

/// <summary>A raw input message as the Kafka edge hands it over: the key (stream id), the value bytes and the message's acknowledgement.</summary>
public sealed record InputMessage(string Key, ReadOnlyMemory<byte> Value, AckToken Ack);
