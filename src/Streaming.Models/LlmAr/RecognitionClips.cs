using Streaming.Models.Datasets;
using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;

namespace Streaming.Models.LlmAr;

/// <summary>A labelled clip and the subject who performed it, which the evaluation protocols split on.</summary>
public sealed record SubjectClip(LabelledClip Example, int Subject);

/// <summary>The skeleton datasets as clips of the canonical skeleton (kinect20 frames), for training and the protocols of <c>eval recognition</c>.</summary>
public static class RecognitionClips
{
    /// <summary>MSR Action3D: one clip per sequence, class action - 1.</summary>
    public static IReadOnlyList<SubjectClip> MsrAction3D(IReadOnlyList<MsrAction3DSample> samples, int dimensions) =>
        [.. samples.Select(s => new SubjectClip(new LabelledClip(
            SkeletonClip.From(LayoutMapping.Kinect20, Datasets.MsrAction3D.ToKinect20(s.Skeletons), dimensions), s.Action - 1), s.Subject))];

    /// <summary>
    /// UTKinect-Action3D windows as the live pipeline forms them: <paramref name="windowFrames"/> frames every
    /// <paramref name="hop"/> over each continuous take, labelled with the action of their last frame (unlabelled ones skipped).
    /// </summary>
    public static IReadOnlyList<SubjectClip> UtKinectWindows(IReadOnlyList<UtKinectRecording> takes, int dimensions, int windowFrames, int hop) =>
        [.. takes.SelectMany(r => UtKinectBaseline.Windows(r, new BaselineOptions(windowFrames, hop)).Select(w => new SubjectClip(new LabelledClip(
            SkeletonClip.From(LayoutMapping.Kinect20, new SkeletonSequence(w.Frames, w.FrameCount, UtKinect.Joints), dimensions), w.Label), r.Subject)))];

    /// <summary>UTKinect-Action3D action segments, whole: the frames of each labelled segment of each take.</summary>
    public static IReadOnlyList<SubjectClip> UtKinectSegments(IReadOnlyList<UtKinectRecording> takes, int dimensions) =>
        [.. takes.SelectMany(r => UtKinect.SegmentFrames(r).Select(s => new SubjectClip(
            new LabelledClip(SkeletonClip.From(LayoutMapping.Kinect20, s.Frames, dimensions), s.Segment.Action), r.Subject)))];
}
