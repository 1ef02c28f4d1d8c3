using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline;

/// <summary>Every knob of the action-label pipeline.</summary>
public sealed record ActionLabelPipelineOptions
{
    public int MaxMessageBytes { get; init; } = ActionEventJson.DefaultMaxBytes;

    public ActionWindowOptions Window { get; init; } = new();

    public MicroBatchOptions Batching { get; init; } = new();
}
