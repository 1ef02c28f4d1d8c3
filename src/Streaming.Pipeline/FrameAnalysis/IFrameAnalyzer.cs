using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.FrameAnalysis;

/// <summary>
/// Turns camera frames into skeletons: decodes each frame and runs an image model (a pose model) over a micro-batch of
/// frames of many streams in one call. The pipeline's seam to the image edge (Streaming.Video implements it).
/// </summary>
public interface IFrameAnalyzer
{
    /// <summary>What runs, for logs and the model-latency metric (e.g. "pose:movenet-lightning").</summary>
    string Id { get; }

    /// <summary>
    /// One result per frame, in order: a <c>coco17</c> <see cref="SkeletonFrame"/> with the frame's stream, capture time and
    /// sequence number, joints [x, y, 0, score] in the frame's pixels (origin top left, y down) and
    /// <see cref="SkeletonFrame.Camera"/> set (size and per-frame features); or the rejection of a frame that could not be
    /// read (<c>corrupt-jpeg</c>, <c>frame-size</c>). Throwing fails the whole batch (<c>pose-failed</c>).
    /// </summary>
    IReadOnlyList<Parsed<SkeletonFrame>> Analyze(IReadOnlyList<VideoFrame> frames);
}
