using System.Text.Json.Serialization;

namespace Streaming.Pipeline.Contracts;

/// <summary>
/// The keypoints of one camera frame, for drawing them over it: the frame's sequence number and capture time (to find
/// it), its size in pixels, the layout (<c>coco17</c>) and per keypoint [x, y, score] with x and y in the frame's pixels,
/// origin top left, y down.
/// </summary>
public sealed record FrameKeypoints(
    [property: JsonPropertyName("seq")] long Sequence,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("layout")] string Layout,
    [property: JsonPropertyName("keypoints")] IReadOnlyList<float[]> Keypoints)
{
    /// <summary>The keypoints of <paramref name="frame"/>; null for a skeleton that did not come from a camera frame.</summary>
    public static FrameKeypoints? Of(SkeletonFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Camera is not { } camera) return null;
        var keypoints = new float[frame.Layout.JointCount][];
        for (int j = 0; j < keypoints.Length; j++)
        {
            var joint = frame.Joint(j);
            keypoints[j] = [joint[0], joint[1], joint[3]];
        }
        return new FrameKeypoints(frame.Sequence, frame.CaptureTime, camera.Width, camera.Height, frame.Layout.Name, keypoints);
    }
}
