namespace Streaming.Pipeline.Telemetry;

/// <summary>
/// The stages of a published window's end-to-end latency, the <c>stage</c> tag of
/// <see cref="PipelineTelemetry.StageLatencyName"/>, in the order a window passes them; together they make up
/// <see cref="PipelineTelemetry.EndToEndLatencyName"/>.
/// </summary>
public static class LatencyStages
{
    /// <summary>Capture of the window's newest input to the pipeline receiving it: the source's producer, the broker, the consumer's fetch.</summary>
    public const string Ingest = "ingest";

    /// <summary>Received to the window formed: the reorder buffer holding the input, a time window waiting for a frame past its end.</summary>
    public const string Window = "window";

    /// <summary>Formed to its batch going to the model: the micro-batch wait and the model busy with the batch before.</summary>
    public const string Batch = "batch";

    /// <summary>The batch handed to the model's thread until its predictions are back.</summary>
    public const string Model = "model";

    /// <summary>Predictions to the sink's acknowledgement: serializing, the output producer's linger, the broker's write and acks.</summary>
    public const string Publish = "publish";

    public static IReadOnlyList<string> All { get; } = [Ingest, Window, Batch, Model, Publish];
}
