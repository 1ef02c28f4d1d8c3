namespace Streaming.Models.Skeletons;

/// <summary>
/// A fixed-size description of a skeleton sequence for classifiers: positions relative to the body's
/// centre in the first frame, scaled by the body's spread (so subjects of different size and distance
/// compare), resampled to <c>frames</c> time steps by linear interpolation, followed by the velocities.
/// </summary>
public static class SkeletonFeatures
{
    public static int Size(int frames, int joints) => 2 * frames * joints * 3;

    public static float[] Describe(SkeletonSequence s, int frames)
    {
        if (s.Frames == 0) throw new ArgumentException("skeleton features: the sequence has no frames.", nameof(s));
        int j3 = s.Joints * 3;
        // Body centre and spread from the first frame.
        var first = s.Frame(0);
        Span<float> centre = stackalloc float[3];
        for (int j = 0; j < s.Joints; j++) for (int c = 0; c < 3; c++) centre[c] += first[j * 3 + c] / s.Joints;
        double spread = 0;
        for (int j = 0; j < s.Joints; j++) for (int c = 0; c < 3; c++) spread += Math.Pow(first[j * 3 + c] - centre[c], 2);
        float scale = 1f / MathF.Max((float)Math.Sqrt(spread / s.Joints), 1e-3f);

        var features = new float[Size(frames, s.Joints)];
        var positions = features.AsSpan(0, frames * j3);
        for (int t = 0; t < frames; t++)
        {
            float at = frames == 1 ? 0 : (float)t * (s.Frames - 1) / (frames - 1);
            int lo = (int)at, hi = Math.Min(lo + 1, s.Frames - 1);
            float w = at - lo;
            var a = s.Frame(lo);
            var b = s.Frame(hi);
            for (int k = 0; k < j3; k++)
                positions[t * j3 + k] = ((1 - w) * a[k] + w * b[k] - centre[k % 3]) * scale;
        }
        var velocities = features.AsSpan(frames * j3);
        for (int t = 1; t < frames; t++)
            for (int k = 0; k < j3; k++)
                velocities[t * j3 + k] = positions[t * j3 + k] - positions[(t - 1) * j3 + k];
        return features;
    }
}
