using System.Globalization;
using Streaming.Models.Skeletons;

namespace Streaming.Models.LlmAr;

/// <summary>
/// A skeleton sequence of any layout as LLM-AR reads it: the canonical joints of every frame (<see cref="CanonicalSkeleton"/>),
/// upright, in 3-D or projected to the image plane (x, y), centred on the first frame's pelvis and scaled by the mean torso
/// length, so the motion of the whole body stays and subjects of any size and distance compare. Frames are
/// <see cref="CanonicalSkeleton.JointCount"/> x dimensions floats, row-major.
/// </summary>
public sealed record SkeletonClip(float[] Joints, int Frames, int Dimensions)
{
    public int FrameSize => CanonicalSkeleton.JointCount * Dimensions;

    /// <summary>The clip of <paramref name="sequence"/>, frames of <paramref name="layout"/>, in <paramref name="dimensions"/> (3, or 2 for the image plane).</summary>
    public static SkeletonClip From(LayoutMapping layout, SkeletonSequence sequence, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(sequence);
        if (dimensions is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(dimensions), $"skeleton clip: {dimensions} dimensions; expected 3 (x, y, z) or 2 (x, y).");
        if (dimensions == 3 && !layout.HasDepth)
            throw new ArgumentException($"skeleton clip: layout {layout.Name} has no depth; a 3-D model cannot read it (use a 2-D model).", nameof(layout));
        if (sequence.Frames == 0) throw new ArgumentException("skeleton clip: the sequence has no frames.", nameof(sequence));
        if (sequence.Joints != layout.JointCount)
            throw new ArgumentException($"skeleton clip: frames of {sequence.Joints} joints are not {layout.Name}'s {layout.JointCount}.", nameof(sequence));
        const int J = CanonicalSkeleton.JointCount;
        Span<float> upright = stackalloc float[J * 3];
        var joints = new float[sequence.Frames * J * dimensions];
        double torso = 0;
        for (int t = 0; t < sequence.Frames; t++)
        {
            var frame = sequence.Frame(t);
            foreach (var value in frame)
                if (!float.IsFinite(value))
                    throw new ArgumentException($"skeleton clip: frame {t} holds {value.ToString(CultureInfo.InvariantCulture)}; joint positions must be finite.", nameof(sequence));
            CanonicalSkeleton.GatherUpright(layout, frame, upright);
            for (int c = 0; c < J; c++)
                for (int k = 0; k < dimensions; k++) joints[(t * J + c) * dimensions + k] = upright[c * 3 + k];
            torso += Distance(upright, CanonicalJoint.Pelvis, CanonicalJoint.ShoulderCenter, dimensions);
        }
        torso /= sequence.Frames;
        if (!(torso >= CanonicalSkeleton.MinTorsoLength))
            throw new ArgumentException($"skeleton clip: the mean torso (pelvis to shoulder centre) is {torso:g3} long; the {sequence.Frames} frame(s) hold no body to centre and scale.", nameof(sequence));
        var origin = joints.AsSpan((int)CanonicalJoint.Pelvis * dimensions, dimensions).ToArray();
        for (int i = 0; i < joints.Length; i++) joints[i] = (float)((joints[i] - origin[i % dimensions]) / torso);
        return new SkeletonClip(joints, sequence.Frames, dimensions);
    }

    static double Distance(ReadOnlySpan<float> joints, CanonicalJoint a, CanonicalJoint b, int dimensions)
    {
        double sum = 0;
        for (int k = 0; k < dimensions; k++)
        {
            double d = joints[(int)a * 3 + k] - joints[(int)b * 3 + k];
            sum += d * d;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>The clip resampled to <paramref name="frames"/> steps by linear interpolation: (frames x <see cref="FrameSize"/>) floats.</summary>
    public float[] Resample(int frames)
    {
        if (frames <= 0) throw new ArgumentOutOfRangeException(nameof(frames), $"skeleton clip: cannot resample to {frames} frames.");
        int size = FrameSize;
        var result = new float[frames * size];
        for (int t = 0; t < frames; t++)
        {
            double at = frames == 1 ? 0 : (double)t * (Frames - 1) / (frames - 1);
            int lo = (int)at, hi = Math.Min(lo + 1, Frames - 1);
            float w = (float)(at - lo);
            for (int k = 0; k < size; k++) result[t * size + k] = (1 - w) * Joints[lo * size + k] + w * Joints[hi * size + k];
        }
        return result;
    }
}
