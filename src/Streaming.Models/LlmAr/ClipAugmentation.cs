namespace Streaming.Models.LlmAr;

/// <summary>
/// Random variations of a training clip that keep its action: a turn about the vertical axis (3-D) or a small roll in the
/// image plane (2-D), a change of size, and a crop in time (a live window sees a part of an action, a take so far its start).
/// </summary>
public static class ClipAugmentation
{
    const double MaxTurn = Math.PI / 9;      // 20 degrees: subjects face the camera roughly
    const double MaxRoll = Math.PI / 18;     // 10 degrees
    const double MaxScale = 0.1;
    const double MinKept = 0.8;              // of the frames

    public static SkeletonClip Apply(SkeletonClip clip, Random rng)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(rng);
        int kept = Math.Max(1, (int)Math.Round(clip.Frames * (MinKept + (1 - MinKept) * rng.NextDouble())));
        int start = rng.Next(clip.Frames - kept + 1);
        double angle = (2 * rng.NextDouble() - 1) * (clip.Dimensions == 3 ? MaxTurn : MaxRoll);
        float scale = (float)(1 + (2 * rng.NextDouble() - 1) * MaxScale);
        float cos = (float)Math.Cos(angle) * scale, sin = (float)Math.Sin(angle) * scale;
        int size = clip.FrameSize, d = clip.Dimensions;
        var joints = clip.Joints.AsSpan(start * size, kept * size).ToArray();
        for (int i = 0; i < joints.Length; i += d)
        {
            // 3-D: turn x and z about y; 2-D: roll x and y.
            int second = d == 3 ? 2 : 1;
            float a = joints[i], b = joints[i + second];
            joints[i] = cos * a - sin * b;
            joints[i + second] = sin * a + cos * b;
            if (d == 3) joints[i + 1] *= scale;
        }
        return new SkeletonClip(joints, kept, d);
    }
}
