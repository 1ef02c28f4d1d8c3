namespace Streaming.Models.Tests.Skeletons;

/// <summary>A kinect20 frame (20 joints x 3) written in the other layouts, for tests: the joints each layout shares with it, and plausible extras.</summary>
public static class LayoutFrames
{
    /// <summary>Kinect v2's order: v1's joints where v2 has them (shoulder-center as spine-shoulder), the neck halfway to the head, hand tips and thumbs beyond the hands.</summary>
    public static float[] Ntu25(ReadOnlySpan<float> kinect)
    {
        var ntu = new float[25 * 3];
        kinect.CopyTo(ntu);
        for (int k = 0; k < 3; k++)
        {
            ntu[20 * 3 + k] = kinect[2 * 3 + k];                                       // spine-shoulder
            ntu[2 * 3 + k] = (kinect[2 * 3 + k] + kinect[3 * 3 + k]) / 2;              // neck
            foreach (var (hand, wrist, tip, thumb) in new[] { (7, 6, 21, 22), (11, 10, 23, 24) })
            {
                float along = kinect[hand * 3 + k] - kinect[wrist * 3 + k];
                ntu[tip * 3 + k] = kinect[hand * 3 + k] + along;
                ntu[thumb * 3 + k] = kinect[hand * 3 + k] + (k == 1 ? 0.03f : 0);
            }
        }
        return ntu;
    }

    /// <summary>
    /// COCO's order as a detector would see the body: an orthographic image at 500 px per metre with y down and
    /// z 0; the face keypoints around the head, the other joints where Kinect has them.
    /// </summary>
    public static float[] Coco17(ReadOnlySpan<float> kinect)
    {
        int[] fromKinect = [3, 3, 3, 3, 3, 4, 8, 5, 9, 6, 10, 12, 16, 13, 17, 14, 18];
        (float X, float Y)[] face = [(0, 0), (-0.03f, 0.03f), (0.03f, 0.03f), (-0.07f, 0), (0.07f, 0)];
        var coco = new float[17 * 3];
        for (int j = 0; j < 17; j++)
        {
            var (dx, dy) = j < face.Length ? face[j] : (0, 0);
            coco[j * 3] = 320 + 500 * (kinect[fromKinect[j] * 3] + dx);
            coco[j * 3 + 1] = 240 - 500 * (kinect[fromKinect[j] * 3 + 1] + dy);
        }
        return coco;
    }
}
