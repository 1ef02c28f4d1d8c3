namespace Streaming.Models.Skeletons;

/// <summary>
/// One frame as the canonical skeleton: <see cref="CanonicalSkeleton.JointCount"/> x <see cref="Dimensions"/> positions
/// (x, y, z, or x, y for a 2-D projection), row-major in <see cref="CanonicalJoint"/> order, with the pelvis at the origin,
/// y up and the torso (pelvis to shoulder centre) of length 1. <see cref="TorsoLength"/> is what it measured in the
/// layout's own units.
/// </summary>
public sealed record CanonicalPose(float[] Positions, int Dimensions, float TorsoLength)
{
    public ReadOnlySpan<float> Joint(CanonicalJoint joint) => Positions.AsSpan((int)joint * Dimensions, Dimensions);
}
