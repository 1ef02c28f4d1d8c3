using Streaming.Video.Imaging;
using Streaming.Video.Pose;

namespace Streaming.Video.Tests.Fixtures;

/// <summary>
/// A small deterministic pose model for the frame path's tests, until a trained one is merged: it finds each COCO
/// keypoint as the disc of that keypoint's colour that <see cref="MarkerFrames"/> draws (the median position of the
/// pixels within a tolerance of the colour, score 1; score 0 where none is), and gives the frame's mean colour as its
/// features. It records the size of every batch it is given, and can be told to throw once, as a failing runtime would.
/// </summary>
public sealed class MarkerPoseModel : IPoseModel
{
    /// <summary>Largest per-channel difference from a marker's colour that still counts as the marker (JPEG at quality 95 stays well within).</summary>
    const int Tolerance = 40;

    readonly Lock _gate = new();
    readonly List<int> _batches = [];

    public string Name => "markers";

    public int FeatureSize => 3;

    public IReadOnlyList<int> Batches { get { lock (_gate) return [.. _batches]; } }

    /// <summary>When set, the next batch throws (and clears it).</summary>
    public bool FailNext { get; set; }

    public IReadOnlyList<PoseEstimate> Estimate(IReadOnlyList<RgbImage> frames)
    {
        lock (_gate) _batches.Add(frames.Count);
        if (FailNext)
        {
            FailNext = false;
            throw new InvalidOperationException("the pose runtime ran out of memory");
        }
        return [.. frames.Select(Estimate)];
    }

    static PoseEstimate Estimate(RgbImage image)
    {
        var keypoints = new float[PoseEstimate.KeypointCount * 3];
        var xs = new List<float>[PoseEstimate.KeypointCount];
        var ys = new List<float>[PoseEstimate.KeypointCount];
        for (int j = 0; j < xs.Length; j++) (xs[j], ys[j]) = ([], []);
        var mean = new double[3];
        var p = image.Pixels;
        for (int y = 0, i = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++, i += 3)
            {
                mean[0] += p[i]; mean[1] += p[i + 1]; mean[2] += p[i + 2];
                for (int j = 0; j < xs.Length; j++)
                {
                    var c = MarkerFrames.Colors[j];
                    if (Math.Abs(p[i] - c.Red) <= Tolerance && Math.Abs(p[i + 1] - c.Green) <= Tolerance && Math.Abs(p[i + 2] - c.Blue) <= Tolerance)
                    {
                        xs[j].Add(x + 0.5f);
                        ys[j].Add(y + 0.5f);
                    }
                }
            }
        for (int j = 0; j < xs.Length; j++)
        {
            if (xs[j].Count == 0) continue;
            keypoints[3 * j] = Median(xs[j]);
            keypoints[3 * j + 1] = Median(ys[j]);
            keypoints[3 * j + 2] = 1;
        }
        double n = image.Width * image.Height * 255.0;
        return new PoseEstimate(keypoints, [(float)(mean[0] / n), (float)(mean[1] / n), (float)(mean[2] / n)]);
    }

    static float Median(List<float> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    public void Dispose() { }
}
