using Streaming.Models.Datasets;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Replay;

/// <summary>
/// Recorded skeleton datasets as the frames a live source would send: in the contract's layouts (kinect20 in the
/// Kinect SDK joint order, ntu25), stamped with capture times from the recording's own clock, numbered in order.
/// </summary>
public static class DatasetReplay
{
    /// <summary>MSR Action3D's joint i is kinect20 joint MsrToKinect[i] (Vemulapalli et al.'s body model order).</summary>
    static readonly int[] MsrToKinect = [4, 8, 2, 1, 12, 16, 0, 5, 9, 6, 10, 7, 11, 13, 17, 14, 18, 15, 19, 3];

    /// <summary>MSR Action3D was recorded at 15 frames per second.</summary>
    public const double MsrFramesPerSecond = 15;

    /// <summary>A UTKinect take: capture time origin + frame id / 30 s (frame ids skip where the sensor dropped frames).</summary>
    public static IEnumerable<SkeletonFrame> UtKinect(UtKinectRecording take, string stream, DateTimeOffset origin)
    {
        var s = take.Skeletons;
        for (int t = 0; t < s.Frames; t++)
            yield return Frame(stream, origin + TimeSpan.FromSeconds((take.FrameIds[t] - take.FrameIds[0]) / Models.Datasets.UtKinect.FramesPerSecond), t,
                SkeletonLayout.Kinect20, s, t, identity: null);
    }

    /// <summary>An MSR Action3D sequence at 15 frames per second, joints reordered into kinect20.</summary>
    public static IEnumerable<SkeletonFrame> MsrAction3D(SkeletonSequence sequence, string stream, DateTimeOffset origin)
    {
        for (int t = 0; t < sequence.Frames; t++)
            yield return Frame(stream, origin + TimeSpan.FromSeconds(t / MsrFramesPerSecond), t, SkeletonLayout.Kinect20, sequence, t, MsrToKinect);
    }

    /// <summary>The first body of each frame of an NTU RGB+D recording (frames without a body are skipped), ntu25.</summary>
    public static IEnumerable<SkeletonFrame> Ntu(IReadOnlyList<IReadOnlyList<NtuBody>> frames, string stream, DateTimeOffset origin)
    {
        for (int t = 0; t < frames.Count; t++)
            if (frames[t].Count > 0)
                yield return new SkeletonFrame(stream, origin + TimeSpan.FromSeconds(t / NtuSkeleton.FramesPerSecond), t, SkeletonLayout.Ntu25, (float[])frames[t][0].Joints.Clone());
    }

    static SkeletonFrame Frame(string stream, DateTimeOffset time, long sequence, SkeletonLayout layout, SkeletonSequence s, int t, int[]? identity)
    {
        var joints = new float[layout.JointCount * SkeletonFrame.ValuesPerJoint];
        var frame = s.Frame(t);
        for (int j = 0; j < s.Joints; j++)
        {
            int target = identity?[j] ?? j;
            for (int k = 0; k < 3; k++) joints[target * SkeletonFrame.ValuesPerJoint + k] = frame[j * 3 + k];
            joints[target * SkeletonFrame.ValuesPerJoint + 3] = 1f;
        }
        return new SkeletonFrame(stream, time, sequence, layout, joints);
    }
}
