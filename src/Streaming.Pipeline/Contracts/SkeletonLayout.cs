namespace Streaming.Pipeline.Contracts;

/// <summary>A named joint layout: how many joints a skeleton of this source has and what each one is.</summary>
public sealed record SkeletonLayout(string Name, IReadOnlyList<string> JointNames)
{
    public int JointCount => JointNames.Count;

    /// <summary>Kinect v1 (20 joints), the order of MSR Action3D and UTKinect-Action3D.</summary>
    public static SkeletonLayout Kinect20 { get; } = new("kinect20",
    [
        "hip-center", "spine", "shoulder-center", "head",
        "shoulder-left", "elbow-left", "wrist-left", "hand-left",
        "shoulder-right", "elbow-right", "wrist-right", "hand-right",
        "hip-left", "knee-left", "ankle-left", "foot-left",
        "hip-right", "knee-right", "ankle-right", "foot-right",
    ]);

    /// <summary>Kinect v2 (25 joints), the order of NTU RGB+D.</summary>
    public static SkeletonLayout Ntu25 { get; } = new("ntu25",
    [
        "spine-base", "spine-mid", "neck", "head",
        "shoulder-left", "elbow-left", "wrist-left", "hand-left",
        "shoulder-right", "elbow-right", "wrist-right", "hand-right",
        "hip-left", "knee-left", "ankle-left", "foot-left",
        "hip-right", "knee-right", "ankle-right", "foot-right",
        "spine-shoulder", "hand-tip-left", "thumb-left", "hand-tip-right", "thumb-right",
    ]);

    /// <summary>COCO keypoints (17 joints, 2-D detectors: z is 0).</summary>
    public static SkeletonLayout Coco17 { get; } = new("coco17",
    [
        "nose", "eye-left", "eye-right", "ear-left", "ear-right",
        "shoulder-left", "shoulder-right", "elbow-left", "elbow-right",
        "wrist-left", "wrist-right", "hip-left", "hip-right",
        "knee-left", "knee-right", "ankle-left", "ankle-right",
    ]);

    public static IReadOnlyList<SkeletonLayout> All { get; } = [Kinect20, Ntu25, Coco17];

    public static bool TryFind(string name, out SkeletonLayout layout)
    {
        foreach (var l in All)
            if (l.Name == name) { layout = l; return true; }
        layout = Kinect20;
        return false;
    }
}
