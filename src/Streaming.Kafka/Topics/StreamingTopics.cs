namespace Streaming.Kafka.Topics;

/// <summary>A topic Streaming reads or writes: its default name and what its keys and values carry.</summary>
public sealed record TopicContract(string Name, string Key, string Value);

/// <summary>
/// Every topic of Streaming's contract, in one place: the defaults of the settings, the embedded broker's topics and
/// the documentation all come from here. Each input topic has a dead-letter topic beside it (<see cref="DeadLettersOf"/>).
/// </summary>
public static class StreamingTopics
{
    /// <summary>Skeleton frames from cameras or trackers.</summary>
    public static readonly TopicContract Skeletons = new("streaming.skeletons", "stream id, UTF-8", "skeleton frame JSON, schemas/skeleton-frame.v1.schema.json");

    /// <summary>
    /// Camera frames, one message per frame: the value is the image (JPEG or raw RGB), headers <c>format</c> (jpeg or
    /// rgb24), <c>width</c>, <c>height</c>, <c>time</c> (capture time, ISO 8601) and <c>seq</c> (the camera's frame number).
    /// </summary>
    public static readonly TopicContract Frames = new("streaming.frames", "stream id (the camera), UTF-8", "a JPEG or rgb24 image; headers format, width, height, time, seq");

    /// <summary>Recognized or observed actions of a stream, for ActionLLM's anticipation.</summary>
    public static readonly TopicContract ActionLabels = new("streaming.action-labels", "stream id, UTF-8", "action event JSON, schemas/action-event.v1.schema.json");

    /// <summary>The service's rolling predictions.</summary>
    public static readonly TopicContract Predictions = new("streaming.actions", "stream id, UTF-8", "action prediction JSON, schemas/action-prediction.v1.schema.json");

    /// <summary>The suffix of an input topic's dead-letter topic.</summary>
    public const string DeadLetterSuffix = ".dlq";

    /// <summary>
    /// The dead-letter topic of <paramref name="inputTopic"/>: each input that produced no output, with its original key,
    /// value and headers plus <c>dlq.*</c> headers saying why and where from.
    /// </summary>
    public static string DeadLettersOf(string inputTopic) => inputTopic + DeadLetterSuffix;
}
