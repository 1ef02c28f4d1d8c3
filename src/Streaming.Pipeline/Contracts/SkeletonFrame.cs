namespace Streaming.Pipeline.Contracts;

/// <summary>
/// One skeleton of one stream at one instant. <see cref="Joints"/> is <c>JointCount x 4</c> row-major:
/// x, y, z, confidence per joint, in the order of <see cref="Layout"/>.
/// </summary>
public sealed record SkeletonFrame(string Stream, DateTimeOffset CaptureTime, long Sequence, SkeletonLayout Layout, float[] Joints) : IStreamInput
{
    /// <summary>The skeleton JSON schema version this code reads and writes (<c>"schema": 1</c>).</summary>
    public const int SchemaVersion = 1;

    public const int ValuesPerJoint = 4;

    /// <summary>
    /// For a skeleton a pose model estimated from a camera frame (frame input): that image's size and features; its joints
    /// are then coco17 keypoints in the image's pixels with z = 0 and the keypoint score as confidence. Null for skeletons
    /// that arrived as skeleton JSON.
    /// </summary>
    public CameraFrame? Camera { get; init; }

    /// <summary>
    /// Set on a stand-in for a frame of the stream that will not arrive (frame input: dropped before the pose model by
    /// backpressure, or the pose model failed on it), with the reason it was rejected: the window builder settles its
    /// acknowledgement with this reason and skips its sequence number instead of holding the frames after it for the
    /// reorder bound. Such a frame has no joints.
    /// </summary>
    public Rejection? Missing { get; init; }

    /// <summary>The stand-in for frame <paramref name="sequence"/> of <paramref name="stream"/>, which was rejected before it became a skeleton (see <see cref="Missing"/>).</summary>
    public static SkeletonFrame MissingFrame(string stream, DateTimeOffset captureTime, long sequence, Rejection why) =>
        new(stream, captureTime, sequence, SkeletonLayout.Coco17, []) { Missing = why };

    public ReadOnlySpan<float> Joint(int j) => Joints.AsSpan(j * ValuesPerJoint, ValuesPerJoint);

    /// <summary>The joints without their confidences: <c>JointCount x 3</c> (x, y, z), row-major.</summary>
    public float[] Positions()
    {
        var positions = new float[Layout.JointCount * 3];
        for (int j = 0; j < Layout.JointCount; j++) Joint(j)[..3].CopyTo(positions.AsSpan(j * 3, 3));
        return positions;
    }
}
