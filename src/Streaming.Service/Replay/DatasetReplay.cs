using Streaming.Models.Datasets;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Replay;

/// <summary>
/// Recorded skeleton datasets as the frames a live source would send: in the contract's layouts (kinect20 in the
/// Kinect SDK joint order, ntu25), stamped with capture times from the recording's own clock, numbered in order.
/// </summary>
public static class DatasetReplay
{
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
            yield return Frame(stream, origin + TimeSpan.FromSeconds(t / MsrFramesPerSecond), t, SkeletonLayout.Kinect20, sequence, t, Models.Datasets.MsrAction3D.Kinect20Joints);
    }

    /// <summary>The first body of each frame of an NTU RGB+D recording (frames without a body are skipped), ntu25.</summary>
    public static IEnumerable<SkeletonFrame> Ntu(IReadOnlyList<IReadOnlyList<NtuBody>> frames, string stream, DateTimeOffset origin)
    {
        for (int t = 0; t < frames.Count; t++)
            if (frames[t].Count > 0)
                yield return new SkeletonFrame(stream, origin + TimeSpan.FromSeconds(t / NtuSkeleton.FramesPerSecond), t, SkeletonLayout.Ntu25, (float[])frames[t][0].Joints.Clone());
    }

    /// <summary>
    /// A frame-label video (50 Salads' groundTruth/&lt;video&gt;.txt, one label per frame) as the action events a recognizer
    /// would send: one at the first frame and at every label change, and, with <paramref name="everyFrames"/> above 0,
    /// one more whenever that many frames pass without an event (the action still going on). Frame f is at
    /// origin + f / <paramref name="fps"/> s; ground truth carries no confidence.
    /// </summary>
    public static IEnumerable<ActionEvent> FrameLabels(LabelledVideo video, IReadOnlyList<string> actions, string stream, DateTimeOffset origin, double fps, int everyFrames = 0)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(actions);
        if (!(fps > 0)) throw new ArgumentOutOfRangeException(nameof(fps), fps, "frames per second must be positive.");
        ArgumentOutOfRangeException.ThrowIfNegative(everyFrames);
        int last = -1;
        for (int f = 0; f < video.Labels.Length; f++)
            if (last < 0 || video.Labels[f] != video.Labels[f - 1] || (everyFrames > 0 && f - last >= everyFrames))
            {
                last = f;
                yield return new ActionEvent(stream, origin + TimeSpan.FromSeconds(f / fps), actions[video.Labels[f]], null);
            }
    }

    static SkeletonFrame Frame(string stream, DateTimeOffset time, long sequence, SkeletonLayout layout, SkeletonSequence s, int t, IReadOnlyList<int>? identity)
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
