namespace Streaming.Models.Skeletons;

/// <summary>A recorded skeleton sequence: <see cref="Frames"/> x <see cref="Joints"/> x 3 positions (x, y, z), row-major.</summary>
public sealed record SkeletonSequence(float[] Positions, int Frames, int Joints)
{
    public ReadOnlySpan<float> Frame(int t) => Positions.AsSpan(t * Joints * 3, Joints * 3);
}
