namespace Streaming.Video.Pose;

/// <summary>
/// The pose of the one person in a frame. <see cref="Keypoints"/> is <c>17 x 3</c> row-major in the COCO-17 order:
/// x and y in pixels of the frame that went in (origin top left, y down) and the keypoint's score in [0, 1].
/// <see cref="Features"/> are the model's pooled backbone activations (empty when the model exposes none).
/// </summary>
public sealed record PoseEstimate(float[] Keypoints, float[] Features)
{
    public const int KeypointCount = 17;
}
