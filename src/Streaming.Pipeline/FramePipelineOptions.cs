using Streaming.Pipeline.Batching;

namespace Streaming.Pipeline;

/// <summary>Every knob of the camera-frame pipeline: reading frames, the pose stage's batching, then the skeleton pipeline's own.</summary>
public sealed record FramePipelineOptions
{
    /// <summary>A 4K rgb24 frame (3840 x 2160 x 3 bytes); JPEG frames are far smaller.</summary>
    public const int DefaultMaxFrameBytes = 3840 * 2160 * 3;

    /// <summary>Largest frame payload accepted; bigger ones are dead-lettered as <c>oversized</c>.</summary>
    public int MaxFrameBytes { get; init; } = DefaultMaxFrameBytes;

    /// <summary>The micro-batches of frames in front of the pose model: frames per pose call, frames per stream queued, backpressure.</summary>
    public MicroBatchOptions Analysis { get; init; } = new();

    /// <summary>Windows of the skeletons the pose model estimates, their batches through the recognizer, smoothing.</summary>
    public SkeletonPipelineOptions Skeletons { get; init; } = new();
}
