namespace Streaming.Models.Recognition;

/// <summary>
/// A window of skeleton frames summarized as normalized joint statistics, for any joint layout: each frame is centred
/// on its joints' centroid and scaled by the window's mean body spread (so position in the room, distance to the camera
/// and body size drop out), then per joint coordinate the mean pose, its spread over the window and the mean absolute
/// frame-to-frame motion, plus the centroid's displacement and spread (walking, sitting down).
/// </summary>
public static class PoseStatistics
{
    public static int Size(int joints) => 9 * joints + 6;

    /// <summary>Statistics of <paramref name="frames"/> (frameCount x joints x 3, row-major) into <paramref name="features"/> (<see cref="Size"/>).</summary>
    public static void Describe(ReadOnlySpan<float> frames, int frameCount, int joints, Span<float> features)
    {
        int j3 = joints * 3;
        if (frameCount < 1 || frames.Length != frameCount * j3)
            throw new ArgumentException($"pose statistics: {frames.Length} values are not {frameCount} frames of {joints} joints x 3.");
        if (features.Length != Size(joints)) throw new ArgumentException($"pose statistics: feature buffer of {features.Length}, expected {Size(joints)}.");
        features.Clear();
        Span<float> centroids = frameCount <= 512 ? stackalloc float[frameCount * 3] : new float[frameCount * 3];
        double spread = 0;
        for (int t = 0; t < frameCount; t++)
        {
            var frame = frames.Slice(t * j3, j3);
            var c = centroids.Slice(t * 3, 3);
            for (int j = 0; j < joints; j++) for (int k = 0; k < 3; k++) c[k] += frame[j * 3 + k] / joints;
            double s = 0;
            for (int j = 0; j < joints; j++) for (int k = 0; k < 3; k++) s += Math.Pow(frame[j * 3 + k] - c[k], 2);
            spread += Math.Sqrt(s / joints);
        }
        float scale = 1f / MathF.Max((float)(spread / frameCount), 1e-3f);

        Span<float> mean = features[..j3], deviation = features.Slice(j3, j3), motion = features.Slice(2 * j3, j3);
        Span<float> displacement = features.Slice(3 * j3, 3), centroidSpread = features.Slice(3 * j3 + 3, 3);
        for (int t = 0; t < frameCount; t++)
            for (int i = 0; i < j3; i++)
            {
                float p = Normalized(frames, centroids, t, i, j3, scale);
                mean[i] += p / frameCount;
                if (t > 0) motion[i] += MathF.Abs(p - Normalized(frames, centroids, t - 1, i, j3, scale)) / (frameCount - 1);
            }
        for (int t = 0; t < frameCount; t++)
            for (int i = 0; i < j3; i++)
                deviation[i] += MathF.Pow(Normalized(frames, centroids, t, i, j3, scale) - mean[i], 2) / frameCount;
        for (int i = 0; i < j3; i++) deviation[i] = MathF.Sqrt(deviation[i]);
        for (int k = 0; k < 3; k++)
        {
            displacement[k] = (centroids[(frameCount - 1) * 3 + k] - centroids[k]) * scale;
            float m = 0;
            for (int t = 0; t < frameCount; t++) m += centroids[t * 3 + k] / frameCount;
            for (int t = 0; t < frameCount; t++) centroidSpread[k] += MathF.Pow((centroids[t * 3 + k] - m) * scale, 2) / frameCount;
            centroidSpread[k] = MathF.Sqrt(centroidSpread[k]);
        }
    }

    static float Normalized(ReadOnlySpan<float> frames, ReadOnlySpan<float> centroids, int t, int i, int j3, float scale) =>
        (frames[t * j3 + i] - centroids[t * 3 + i % 3]) * scale;
}
