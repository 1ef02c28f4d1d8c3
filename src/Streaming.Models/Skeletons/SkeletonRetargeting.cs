namespace Streaming.Models.Skeletons;

/// <summary>
/// Frames of one layout written in another's joint order, through the canonical skeleton, in the source's own
/// coordinates (no centring or scaling: a model normalizes as it was trained to). This is how a model trained on one
/// layout serves streams of another: kinect20 models take ntu25 frames.
/// </summary>
public static class SkeletonRetargeting
{
    /// <summary>Why frames of <paramref name="from"/> cannot be written as <paramref name="to"/>, or null when they can.</summary>
    public static string? Refusal(LayoutMapping from, LayoutMapping to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (from == to) return null;
        if (!to.IsCanonicalOrder)
            return $"{to.Name} has joints the canonical skeleton lacks, so no other layout can be written in its order";
        if (from.HasDepth != to.HasDepth)
            return from.HasDepth
                ? $"{from.Name} is 3-D and {to.Name} is an image-plane (2-D) layout"
                : $"{from.Name} is an image-plane layout without depth (z is 0) and {to.Name} is 3-D";
        return null;
    }

    /// <summary>One frame of <paramref name="from"/> (its joints x 3) into <paramref name="into"/> (<paramref name="to"/>'s joints x 3).</summary>
    public static void Frame(LayoutMapping from, LayoutMapping to, ReadOnlySpan<float> positions, Span<float> into)
    {
        var refusal = Refusal(from, to);
        if (refusal is not null) throw new ArgumentException($"retargeting {from.Name} to {to.Name}: {refusal}.", nameof(to));
        if (from == to)
        {
            if (positions.Length != into.Length) throw new ArgumentException($"retargeting {from.Name}: {positions.Length} values into a buffer of {into.Length}.", nameof(into));
            positions.CopyTo(into);
            return;
        }
        // to is in canonical order, so its frame is the gathered canonical skeleton.
        CanonicalSkeleton.Gather(from, positions, into);
    }

    /// <summary>A sequence of <paramref name="from"/> frames as <paramref name="to"/> frames; the sequence itself when the layouts are the same.</summary>
    public static SkeletonSequence Sequence(SkeletonSequence s, LayoutMapping from, LayoutMapping to)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (from == to) return s;
        if (s.Joints != from.JointCount)
            throw new ArgumentException($"retargeting: the sequence has {s.Joints} joints, not {from.Name}'s {from.JointCount}.", nameof(s));
        var positions = new float[s.Frames * to.JointCount * 3];
        for (int t = 0; t < s.Frames; t++) Frame(from, to, s.Frame(t), positions.AsSpan(t * to.JointCount * 3, to.JointCount * 3));
        return new SkeletonSequence(positions, s.Frames, to.JointCount);
    }
}
