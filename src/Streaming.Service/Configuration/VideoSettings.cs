using Streaming.Pipeline;

namespace Streaming.Service.Configuration;

/// <summary>
/// The camera-frame path's settings (section <c>Video</c>, <c>STREAMING_Video__…</c>, flags): the pose model and the
/// micro-batches of frames in front of it. Used when <see cref="PipelineSettings.Input"/> is
/// <see cref="PipelineInput.Frames"/>; the backpressure policy is <see cref="PipelineSettings.Backpressure"/>.
/// </summary>
public sealed record VideoSettings
{
    public const string SectionName = "Video";

    /// <summary>The pose model file (ONNX, COCO-17 keypoints), <c>--pose-model</c>.</summary>
    public string PoseModel { get; init; } = "";

    /// <summary>Most frames, of all streams together, per pose-model call.</summary>
    public int PoseBatchSize { get; init; } = 16;

    /// <summary>Frames one stream may have waiting while the pose model is busy; beyond it the backpressure policy drops frames.</summary>
    public int FramesQueuedPerStream { get; init; } = 8;

    /// <summary>Largest frame payload; bigger ones are dead-lettered as <c>oversized</c>.</summary>
    public int MaxFrameBytes { get; init; } = FramePipelineOptions.DefaultMaxFrameBytes;
}
