using System.Text.Json.Serialization;

namespace Streaming.Pipeline.Contracts;

/// <summary>A label with its probability.</summary>
public sealed record LabelProbability(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("probability")] double Probability);

/// <summary>The action happening in a window, with the runner-up labels.</summary>
public sealed record RecognizedAction(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("probability")] double Probability,
    [property: JsonPropertyName("topK")] IReadOnlyList<LabelProbability> TopK);

/// <summary>An action over a time span: observed (past) or anticipated (future).</summary>
public sealed record ActionSegment(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End,
    [property: JsonPropertyName("probability")] double Probability);

/// <summary>
/// The output message, one per window (schemas/action-prediction.v1.schema.json): what is happening
/// now, the segmentation of what was observed, and the anticipated future actions.
/// </summary>
public sealed record ActionPrediction(
    [property: JsonPropertyName("stream")] string Stream,
    [property: JsonPropertyName("windowId")] long WindowId,
    [property: JsonPropertyName("windowStart")] DateTimeOffset WindowStart,
    [property: JsonPropertyName("windowEnd")] DateTimeOffset WindowEnd,
    [property: JsonPropertyName("recognized")] RecognizedAction Recognized,
    [property: JsonPropertyName("past")] IReadOnlyList<ActionSegment> Past,
    [property: JsonPropertyName("future")] IReadOnlyList<ActionSegment> Future,
    [property: JsonPropertyName("modelId")] string ModelId,
    [property: JsonPropertyName("latencyMs")] double LatencyMs)
{
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyName("schema")]
    [JsonPropertyOrder(-1)]
    public int Schema { get; init; } = CurrentSchemaVersion;

    /// <summary>
    /// Frame input only: the keypoints of the window's last frame, for overlays; absent from the JSON for skeleton and
    /// action-label input.
    /// </summary>
    [JsonPropertyName("lastFrame")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrameKeypoints? LastFrame { get; init; }
}
