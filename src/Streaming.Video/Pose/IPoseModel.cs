using Streaming.Video.Imaging;

namespace Streaming.Video.Pose;

/// <summary>A single-person COCO-17 pose model that runs a micro-batch of frames in one call.</summary>
public interface IPoseModel : IDisposable
{
    /// <summary>What runs, for logs and bench tables (e.g. "movenet-lightning (onnxruntime, cpu)").</summary>
    string Name { get; }

    /// <summary>Length of the per-frame <see cref="PoseEstimate.Features"/> vectors (0 when the model exposes none).</summary>
    int FeatureSize { get; }

    /// <summary>One estimate per frame, in order; frames may differ in size.</summary>
    IReadOnlyList<PoseEstimate> Estimate(IReadOnlyList<RgbImage> frames);
}
