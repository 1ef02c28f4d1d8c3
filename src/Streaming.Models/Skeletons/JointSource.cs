namespace Streaming.Models.Skeletons;

/// <summary>
/// Where a layout finds one canonical joint: the mean of the layout joints named in <paramref name="From"/> (one joint
/// when the layout has it). <paramref name="Derivation"/> says why, for a joint the layout lacks; null when it has it.
/// </summary>
public sealed record JointSource(CanonicalJoint Joint, IReadOnlyList<string> From, string? Derivation = null)
{
    public bool IsDerived => Derivation is not null;
}
