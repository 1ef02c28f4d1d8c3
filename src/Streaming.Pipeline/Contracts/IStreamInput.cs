namespace Streaming.Pipeline.Contracts;

/// <summary>An input message of one stream (a skeleton frame, an action event); its Kafka key is the stream id.</summary>
public interface IStreamInput
{
    string Stream { get; }
}
