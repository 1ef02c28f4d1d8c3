using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.FrameAnalysis;
using Streaming.Video.Imaging;

namespace Streaming.Video.Pose;

/// <summary>
/// The pipeline's frame analyzer on a pose model: decodes a micro-batch of camera frames (<see cref="FrameDecoder"/>),
/// runs the pose model once over every frame that decoded, and writes each estimate as a <c>coco17</c> skeleton: joints
/// [x, y, 0, score] in the frame's pixels (origin top left, y down; the canonical skeleton flips y and normalizes the
/// scale), the frame's size and the model's features in <see cref="SkeletonFrame.Camera"/>.
/// </summary>
public sealed class PoseFrameAnalyzer(IPoseModel pose) : IFrameAnalyzer
{
    readonly IPoseModel _pose = pose ?? throw new ArgumentNullException(nameof(pose));

    public string Id => "pose:" + _pose.Name;

    public IReadOnlyList<Parsed<SkeletonFrame>> Analyze(IReadOnlyList<VideoFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var results = new Parsed<SkeletonFrame>[frames.Count];
        var images = new List<RgbImage>(frames.Count);
        var decodedAt = new List<int>(frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            var image = FrameDecoder.Decode(frames[i]);
            if (!image.IsValid)
            {
                results[i] = Parsed<SkeletonFrame>.Fail(image.Rejection.Reason, image.Rejection.Message);
                continue;
            }
            images.Add(image.Value);
            decodedAt.Add(i);
        }
        if (images.Count == 0) return results;

        var estimates = _pose.Estimate(images);
        if (estimates.Count != images.Count)
            throw new InvalidOperationException($"pose model {_pose.Name} returned {estimates.Count} estimates for {images.Count} frames.");
        for (int k = 0; k < estimates.Count; k++)
        {
            var frame = frames[decodedAt[k]];
            results[decodedAt[k]] = Parsed<SkeletonFrame>.Ok(Skeleton(frame, estimates[k]));
        }
        return results;
    }

    SkeletonFrame Skeleton(VideoFrame frame, PoseEstimate estimate)
    {
        const int n = PoseEstimate.KeypointCount;
        if (estimate.Keypoints.Length != n * 3)
            throw new InvalidOperationException($"pose model {_pose.Name} returned {estimate.Keypoints.Length} keypoint values; COCO-17 needs {n * 3} (x, y, score per keypoint).");
        var joints = new float[n * SkeletonFrame.ValuesPerJoint];
        for (int j = 0; j < n; j++)
        {
            joints[j * 4] = estimate.Keypoints[j * 3];         // x, pixels
            joints[j * 4 + 1] = estimate.Keypoints[j * 3 + 1]; // y, pixels, down
            joints[j * 4 + 3] = estimate.Keypoints[j * 3 + 2]; // score as confidence; z stays 0
        }
        return new SkeletonFrame(frame.Stream, frame.CaptureTime, frame.Sequence, SkeletonLayout.Coco17, joints)
        {
            Camera = new CameraFrame(frame.Width, frame.Height, estimate.Features),
        };
    }
}
