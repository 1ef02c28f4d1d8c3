using Streaming.Models.Skeletons;

namespace Streaming.Pipeline.Contracts;

/// <summary>
/// A named joint layout: how many joints a skeleton of this source has and what each one is. Its joints and how they
/// map to the canonical skeleton are the model side's <see cref="LayoutMapping"/> table of the same name.
/// </summary>
public sealed record SkeletonLayout(LayoutMapping Mapping)
{
    public string Name => Mapping.Name;

    public IReadOnlyList<string> JointNames => Mapping.JointNames;

    public int JointCount => Mapping.JointCount;

    /// <summary>Kinect v1 (20 joints), the order of MSR Action3D and UTKinect-Action3D.</summary>
    public static SkeletonLayout Kinect20 { get; } = new(LayoutMapping.Kinect20);

    /// <summary>Kinect v2 (25 joints), the order of NTU RGB+D.</summary>
    public static SkeletonLayout Ntu25 { get; } = new(LayoutMapping.Ntu25);

    /// <summary>COCO keypoints (17 joints, 2-D detectors: z is 0).</summary>
    public static SkeletonLayout Coco17 { get; } = new(LayoutMapping.Coco17);

    public static IReadOnlyList<SkeletonLayout> All { get; } = [Kinect20, Ntu25, Coco17];

    /// <summary>The layout of <see cref="LayoutMapping.TryFind"/>'s table of that name (kinect20 when none is).</summary>
    public static bool TryFind(string name, out SkeletonLayout layout)
    {
        bool found = LayoutMapping.TryFind(name, out var mapping);
        layout = All.First(l => l.Mapping == mapping);
        return found;
    }
}
