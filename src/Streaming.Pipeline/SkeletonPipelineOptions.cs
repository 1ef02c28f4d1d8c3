using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline;

/// <summary>Every knob of the skeleton pipeline, each stage's in its own record.</summary>
public sealed record SkeletonPipelineOptions
{
    public int MaxMessageBytes { get; init; } = SkeletonFrameJson.DefaultMaxBytes;

    public WindowOptions Window { get; init; } = WindowOptions.ByFrames(length: 32, hop: 16);

    public MicroBatchOptions Batching { get; init; } = new();

    /// <summary>Windows the rolling result averages over; 1 turns smoothing off.</summary>
    public int SmoothingWindows { get; init; } = 1;
}
