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

    public ReadOnlySpan<float> Joint(int j) => Joints.AsSpan(j * ValuesPerJoint, ValuesPerJoint);

    /// <summary>The joints without their confidences: <c>JointCount x 3</c> (x, y, z), row-major.</summary>
    public float[] Positions()
    {
        var positions = new float[Layout.JointCount * 3];
        for (int j = 0; j < Layout.JointCount; j++) Joint(j)[..3].CopyTo(positions.AsSpan(j * 3, 3));
        return positions;
    }
}
