namespace Streaming.Models.Skeletons;

/// <summary>
/// A skeleton layout (a source's joints, in its order) and its mapping table: for every <see cref="CanonicalJoint"/>, the
/// layout joints it is found at (<see cref="JointSource"/>). Layouts with depth give canonical 3-D skeletons; image-plane
/// layouts (<see cref="HasDepth"/> false: z is 0) give 2-D ones, with y flipped where the image's y grows downwards.
/// </summary>
public sealed class LayoutMapping
{
    readonly int[][] _sources;

    public LayoutMapping(string name, IReadOnlyList<string> jointNames, bool hasDepth, bool yDown, IReadOnlyList<JointSource> sources)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(jointNames);
        ArgumentNullException.ThrowIfNull(sources);
        var duplicate = jointNames.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"layout {name}: joint '{duplicate.Key}' is named twice.", nameof(jointNames));
        if (sources.Count != CanonicalSkeleton.JointCount)
            throw new ArgumentException($"layout {name}: {sources.Count} joint sources; the canonical skeleton has {CanonicalSkeleton.JointCount} joints.", nameof(sources));
        var names = jointNames.ToList();
        _sources = new int[sources.Count][];
        for (int c = 0; c < sources.Count; c++)
        {
            var source = sources[c];
            if (source.Joint != (CanonicalJoint)c)
                throw new ArgumentException($"layout {name}: source {c} is for {source.Joint}; expected {(CanonicalJoint)c} (canonical order).", nameof(sources));
            if (source.From.Count == 0) throw new ArgumentException($"layout {name}: {source.Joint} comes from no joint.", nameof(sources));
            _sources[c] = source.From.Select(joint =>
            {
                int j = names.IndexOf(joint);
                return j >= 0 ? j : throw new ArgumentException($"layout {name}: {source.Joint} comes from '{joint}', which is not one of its joints.", nameof(sources));
            }).ToArray();
        }
        (Name, JointNames, HasDepth, YDown, Sources) = (name, jointNames, hasDepth, yDown, sources);
    }

    public string Name { get; }

    public IReadOnlyList<string> JointNames { get; }

    public int JointCount => JointNames.Count;

    /// <summary>Whether z is a measured depth; false for 2-D keypoint detectors, whose z is 0.</summary>
    public bool HasDepth { get; }

    /// <summary>Whether y grows downwards (image coordinates); the canonical skeleton's y grows upwards.</summary>
    public bool YDown { get; }

    /// <summary>One per canonical joint, in <see cref="CanonicalJoint"/> order.</summary>
    public IReadOnlyList<JointSource> Sources { get; }

    /// <summary>The layout joints (indices) whose mean is canonical joint <paramref name="joint"/>.</summary>
    public ReadOnlySpan<int> SourceOf(CanonicalJoint joint) => _sources[(int)joint];

    /// <summary>
    /// Whether each of the layout's joints is exactly one canonical joint, so that a canonical skeleton can be written
    /// back in this layout's order (<see cref="SkeletonRetargeting"/>): true for kinect20.
    /// </summary>
    public bool IsCanonicalOrder => JointCount == CanonicalSkeleton.JointCount && _sources.Select((s, c) => s.Length == 1 && s[0] == c).All(x => x);

    /// <summary>Kinect v1 (20 joints), the order of MSR Action3D and UTKinect-Action3D: the canonical skeleton itself.</summary>
    public static LayoutMapping Kinect20 { get; } = new("kinect20",
    [
        "hip-center", "spine", "shoulder-center", "head",
        "shoulder-left", "elbow-left", "wrist-left", "hand-left",
        "shoulder-right", "elbow-right", "wrist-right", "hand-right",
        "hip-left", "knee-left", "ankle-left", "foot-left",
        "hip-right", "knee-right", "ankle-right", "foot-right",
    ], hasDepth: true, yDown: false,
    [
        new(CanonicalJoint.Pelvis, ["hip-center"]),
        new(CanonicalJoint.Spine, ["spine"]),
        new(CanonicalJoint.ShoulderCenter, ["shoulder-center"]),
        new(CanonicalJoint.Head, ["head"]),
        .. KinectLimbs,
    ]);

    /// <summary>
    /// Kinect v2 (25 joints), the order of NTU RGB+D. Its first 20 joints are Kinect v1's but for the shoulder centre:
    /// v2's spine-shoulder sits where v1's shoulder-center did (between the shoulders); v2's neck is higher. Neck, hand
    /// tips and thumbs have no canonical joint.
    /// </summary>
    public static LayoutMapping Ntu25 { get; } = new("ntu25",
    [
        "spine-base", "spine-mid", "neck", "head",
        "shoulder-left", "elbow-left", "wrist-left", "hand-left",
        "shoulder-right", "elbow-right", "wrist-right", "hand-right",
        "hip-left", "knee-left", "ankle-left", "foot-left",
        "hip-right", "knee-right", "ankle-right", "foot-right",
        "spine-shoulder", "hand-tip-left", "thumb-left", "hand-tip-right", "thumb-right",
    ], hasDepth: true, yDown: false,
    [
        new(CanonicalJoint.Pelvis, ["spine-base"]),
        new(CanonicalJoint.Spine, ["spine-mid"]),
        new(CanonicalJoint.ShoulderCenter, ["spine-shoulder"]),
        new(CanonicalJoint.Head, ["head"]),
        .. KinectLimbs,
    ]);

    /// <summary>
    /// COCO keypoints (17 joints) from 2-D detectors, in image coordinates (y down, z 0). COCO has no trunk joints, hands
    /// or feet: those are derived from the hips, shoulders, face, wrists and ankles.
    /// </summary>
    public static LayoutMapping Coco17 { get; } = new("coco17",
    [
        "nose", "eye-left", "eye-right", "ear-left", "ear-right",
        "shoulder-left", "shoulder-right", "elbow-left", "elbow-right",
        "wrist-left", "wrist-right", "hip-left", "hip-right",
        "knee-left", "knee-right", "ankle-left", "ankle-right",
    ], hasDepth: false, yDown: true,
    [
        new(CanonicalJoint.Pelvis, ["hip-left", "hip-right"], "mid-hips"),
        new(CanonicalJoint.Spine, ["hip-left", "hip-right", "shoulder-left", "shoulder-right"], "midway between mid-hips and mid-shoulders"),
        new(CanonicalJoint.ShoulderCenter, ["shoulder-left", "shoulder-right"], "mid-shoulders"),
        new(CanonicalJoint.Head, ["nose", "eye-left", "eye-right", "ear-left", "ear-right"], "centre of the face keypoints (nose, eyes, ears)"),
        new(CanonicalJoint.ShoulderLeft, ["shoulder-left"]),
        new(CanonicalJoint.ElbowLeft, ["elbow-left"]),
        new(CanonicalJoint.WristLeft, ["wrist-left"]),
        new(CanonicalJoint.HandLeft, ["wrist-left"], "the wrist: COCO has no hand keypoint"),
        new(CanonicalJoint.ShoulderRight, ["shoulder-right"]),
        new(CanonicalJoint.ElbowRight, ["elbow-right"]),
        new(CanonicalJoint.WristRight, ["wrist-right"]),
        new(CanonicalJoint.HandRight, ["wrist-right"], "the wrist: COCO has no hand keypoint"),
        new(CanonicalJoint.HipLeft, ["hip-left"]),
        new(CanonicalJoint.KneeLeft, ["knee-left"]),
        new(CanonicalJoint.AnkleLeft, ["ankle-left"]),
        new(CanonicalJoint.FootLeft, ["ankle-left"], "the ankle: COCO has no foot keypoint"),
        new(CanonicalJoint.HipRight, ["hip-right"]),
        new(CanonicalJoint.KneeRight, ["knee-right"]),
        new(CanonicalJoint.AnkleRight, ["ankle-right"]),
        new(CanonicalJoint.FootRight, ["ankle-right"], "the ankle: COCO has no foot keypoint"),
    ]);

    public static IReadOnlyList<LayoutMapping> All { get; } = [Kinect20, Ntu25, Coco17];

    public static bool TryFind(string name, out LayoutMapping layout)
    {
        foreach (var l in All)
            if (l.Name == name) { layout = l; return true; }
        layout = Kinect20;
        return false;
    }

    /// <summary>Shoulders to feet of both sides, for Kinect layouts: each at the joint of the same name.</summary>
    static JointSource[] KinectLimbs =>
    [
        new(CanonicalJoint.ShoulderLeft, ["shoulder-left"]),
        new(CanonicalJoint.ElbowLeft, ["elbow-left"]),
        new(CanonicalJoint.WristLeft, ["wrist-left"]),
        new(CanonicalJoint.HandLeft, ["hand-left"]),
        new(CanonicalJoint.ShoulderRight, ["shoulder-right"]),
        new(CanonicalJoint.ElbowRight, ["elbow-right"]),
        new(CanonicalJoint.WristRight, ["wrist-right"]),
        new(CanonicalJoint.HandRight, ["hand-right"]),
        new(CanonicalJoint.HipLeft, ["hip-left"]),
        new(CanonicalJoint.KneeLeft, ["knee-left"]),
        new(CanonicalJoint.AnkleLeft, ["ankle-left"]),
        new(CanonicalJoint.FootLeft, ["foot-left"]),
        new(CanonicalJoint.HipRight, ["hip-right"]),
        new(CanonicalJoint.KneeRight, ["knee-right"]),
        new(CanonicalJoint.AnkleRight, ["ankle-right"]),
        new(CanonicalJoint.FootRight, ["foot-right"]),
    ];
}
