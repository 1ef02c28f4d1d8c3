namespace Streaming.Models.Skeletons;

/// <summary>
/// Conversion of a frame of any layout to the canonical skeleton (<see cref="CanonicalJoint"/>): each canonical joint
/// is found through the layout's <see cref="LayoutMapping"/>, then the body is centred on the pelvis and scaled by its
/// torso length, so that subjects of any size, distance and layout compare. Layouts with depth give 3-D poses;
/// image-plane layouts give the 2-D (x, y) projection, which 3-D layouts can give too (<see cref="Project"/>).
/// </summary>
public static class CanonicalSkeleton
{
    public const int JointCount = 20;

    /// <summary>Torso lengths below this (in the layout's units) mean there is no body to scale: an empty or collapsed frame.</summary>
    public const float MinTorsoLength = 1e-4f;

    /// <summary>The joints' names, in <see cref="CanonicalJoint"/> order.</summary>
    public static IReadOnlyList<string> JointNames { get; } =
    [
        "pelvis", "spine", "shoulder-center", "head",
        "shoulder-left", "elbow-left", "wrist-left", "hand-left",
        "shoulder-right", "elbow-right", "wrist-right", "hand-right",
        "hip-left", "knee-left", "ankle-left", "foot-left",
        "hip-right", "knee-right", "ankle-right", "foot-right",
    ];

    public static string Name(this CanonicalJoint joint) => JointNames[(int)joint];

    /// <summary>
    /// The canonical joints of one frame (<paramref name="positions"/>: the layout's joints x 3) into
    /// <paramref name="canonical"/> (<see cref="JointCount"/> x 3), in the layout's own coordinates: no centring or scaling.
    /// </summary>
    public static void Gather(LayoutMapping layout, ReadOnlySpan<float> positions, Span<float> canonical)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (positions.Length != layout.JointCount * 3)
            throw new ArgumentException($"canonical skeleton: {positions.Length} values are not {layout.Name}'s {layout.JointCount} joints x 3.", nameof(positions));
        if (canonical.Length != JointCount * 3)
            throw new ArgumentException($"canonical skeleton: buffer of {canonical.Length} values, expected {JointCount} joints x 3.", nameof(canonical));
        for (int c = 0; c < JointCount; c++)
        {
            var from = layout.SourceOf((CanonicalJoint)c);
            for (int k = 0; k < 3; k++)
            {
                float sum = 0;
                foreach (int j in from) sum += positions[j * 3 + k];
                canonical[c * 3 + k] = sum / from.Length;
            }
        }
    }

    /// <summary>
    /// One frame of <paramref name="layout"/> (its joints x 3) as the canonical skeleton, body-centred and unit-scaled:
    /// 3-D where the layout has depth, else the 2-D projection.
    /// </summary>
    public static CanonicalPose Normalize(LayoutMapping layout, ReadOnlySpan<float> positions) =>
        layout.HasDepth ? Centred(layout, positions, 3) : Project(layout, positions);

    /// <summary>The 2-D (x, y) projection of one frame of any layout: z dropped, scaled by the torso's length in the image plane.</summary>
    public static CanonicalPose Project(LayoutMapping layout, ReadOnlySpan<float> positions) => Centred(layout, positions, 2);

    /// <summary><see cref="Gather"/>, then y turned to grow upwards (as the Kinect's does) where the layout's image y grows downwards.</summary>
    public static void GatherUpright(LayoutMapping layout, ReadOnlySpan<float> positions, Span<float> canonical)
    {
        Gather(layout, positions, canonical);
        if (layout.YDown)
            for (int c = 0; c < JointCount; c++) canonical[c * 3 + 1] = -canonical[c * 3 + 1];
    }

    static CanonicalPose Centred(LayoutMapping layout, ReadOnlySpan<float> positions, int dimensions)
    {
        Span<float> joints = stackalloc float[JointCount * 3];
        GatherUpright(layout, positions, joints);
        var pelvis = joints.Slice((int)CanonicalJoint.Pelvis * 3, 3).ToArray();
        var shoulders = joints.Slice((int)CanonicalJoint.ShoulderCenter * 3, 3);
        float torso = 0;
        for (int k = 0; k < dimensions; k++) torso += (shoulders[k] - pelvis[k]) * (shoulders[k] - pelvis[k]);
        torso = MathF.Sqrt(torso);
        if (!(torso >= MinTorsoLength))
            throw new ArgumentException($"canonical skeleton: the {layout.Name} frame's torso (pelvis to shoulder centre) is {torso} long in {dimensions}-D; "
                + "the frame holds no body to centre and scale (all joints at one point, or not finite).", nameof(positions));
        var pose = new float[JointCount * dimensions];
        for (int c = 0; c < JointCount; c++)
            for (int k = 0; k < dimensions; k++) pose[c * dimensions + k] = (joints[c * 3 + k] - pelvis[k]) / torso;
        return new CanonicalPose(pose, dimensions, torso);
    }
}
