using Streaming.Models.Datasets;
using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;

namespace Streaming.Models.LlmAr;

/// <summary>The protocols of <c>eval recognition</c>, lettered as in issue 11.</summary>
public enum RecognitionProtocol
{
    /// <summary>(a) MSR Action3D cross-subject: odd subjects train, even subjects test (284/273 sequences).</summary>
    MsrCrossSubject,

    /// <summary>(b) MSR Action3D, the mean over the 10 random 5/5 subject splits of derived/tr_te_splits_random10.txt.</summary>
    MsrRandomSplits,

    /// <summary>(c) UTKinect-Action3D windows of the continuous takes as the live pipeline forms them, the demo's subject split.</summary>
    UtKinectWindows,

    /// <summary>(d) UTKinect-Action3D whole action segments, leave one subject out (10 folds, mean).</summary>
    UtKinectSegments,
}

/// <summary>
/// One sample of a protocol: the sequence as the dataset holds it (the baselines' input, in its own joint order), its clip of
/// the canonical skeleton (LLM-AR's input), its class and the subject who performed it.
/// </summary>
public sealed record RecognitionSample(SkeletonSequence Sequence, SkeletonClip Clip, int Label, int Subject);

/// <summary>One train/test fold of a protocol.</summary>
public sealed record RecognitionFold(string Name, IReadOnlyList<RecognitionSample> Train, IReadOnlyList<RecognitionSample> Test);

/// <summary>
/// A protocol on its dataset: the label names, the joint layout of the samples' sequences, how a live window of this
/// dataset is served (<see cref="LlmArSequence"/>) and the folds; the protocol's accuracy is the mean over its folds.
/// </summary>
public sealed record RecognitionBenchmark(RecognitionProtocol Protocol, string Dataset, string Description, IReadOnlyList<string> Labels,
    string Layout, LlmArSequence Sequence, IReadOnlyList<RecognitionFold> Folds)
{
    /// <summary>The fold as LLM-AR trains on it.</summary>
    public RecognitionSplit Split(RecognitionFold fold)
    {
        ArgumentNullException.ThrowIfNull(fold);
        return new RecognitionSplit(Dataset, $"{Description}, {fold.Name}", Labels, Clips(fold.Train), Clips(fold.Test));
    }

    static LabelledClip[] Clips(IReadOnlyList<RecognitionSample> samples) => [.. samples.Select(s => new LabelledClip(s.Clip, s.Label))];
}

/// <summary>The datasets' samples split as each <see cref="RecognitionProtocol"/> says.</summary>
public static class RecognitionProtocols
{
    /// <summary>The letter issue 11 gives the protocol, which <c>--protocol</c> takes.</summary>
    public static char Letter(RecognitionProtocol protocol) => (char)('a' + (int)protocol);

    /// <summary>The protocol's name in results files, stable across versions.</summary>
    public static string Key(RecognitionProtocol protocol) => protocol switch
    {
        RecognitionProtocol.MsrCrossSubject => "msr-action3d cross-subject",
        RecognitionProtocol.MsrRandomSplits => "msr-action3d random-splits",
        RecognitionProtocol.UtKinectWindows => "utkinect windows",
        RecognitionProtocol.UtKinectSegments => "utkinect loso-segments",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    /// <summary>
    /// The protocol's samples from <paramref name="data"/>, the folder that holds msr-action3d/ and utkinect-action3d/;
    /// <paramref name="windowFrames"/> and <paramref name="hop"/> shape (c)'s windows.
    /// </summary>
    public static RecognitionBenchmark Load(RecognitionProtocol protocol, string data, int dimensions, int windowFrames, int hop) => protocol switch
    {
        RecognitionProtocol.MsrCrossSubject => MsrCrossSubject(Path.Combine(data, "msr-action3d"), dimensions),
        RecognitionProtocol.MsrRandomSplits => MsrRandomSplits(Path.Combine(data, "msr-action3d"), dimensions),
        RecognitionProtocol.UtKinectWindows => UtKinectWindows(Path.Combine(data, "utkinect-action3d"), dimensions, windowFrames, hop),
        RecognitionProtocol.UtKinectSegments => UtKinectSegments(Path.Combine(data, "utkinect-action3d"), dimensions),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
    };

    /// <summary>(a): the 557 sequences of splits/files_used_in_cvpr12_paper.txt, odd subjects train.</summary>
    public static RecognitionBenchmark MsrCrossSubject(string root, int dimensions)
    {
        var samples = MsrSamples(root, dimensions);
        return Msr(root, RecognitionProtocol.MsrCrossSubject, "cross-subject (odd subjects train)",
            [BySubject("odd subjects train", samples, MsrAction3D.IsTrainSubject)]);
    }

    /// <summary>(b): the same sequences, one fold per line of derived/tr_te_splits_random10.txt.</summary>
    public static RecognitionBenchmark MsrRandomSplits(string root, int dimensions)
    {
        var samples = MsrSamples(root, dimensions);
        return Msr(root, RecognitionProtocol.MsrRandomSplits, "10 random subject splits", [.. Enumerable.Range(1, SubjectSplits.Count).Select(k =>
        {
            var train = MsrAction3D.TrainSubjects(root, k);
            return BySubject($"split {k}", samples, train.Contains);
        })]);
    }

    /// <summary>
    /// (c): windows of <paramref name="windowFrames"/> frames every <paramref name="hop"/> over each continuous take, labelled
    /// with the action of their last frame (<see cref="UtKinectBaseline.Windows"/>); split <paramref name="split"/>'s subjects train.
    /// </summary>
    public static RecognitionBenchmark UtKinectWindows(string root, int dimensions, int windowFrames, int hop, int split = 1)
    {
        if (windowFrames < 2 || hop < 1) throw new ArgumentException($"UTKinect windows: need at least 2 frames per window and a hop of at least 1 (got {windowFrames} and {hop}).");
        var options = new BaselineOptions(windowFrames, hop);
        var samples = UtKinect.Load(root).SelectMany(r => UtKinectBaseline.Windows(r, options)
            .Select(w => Sample(new SkeletonSequence(w.Frames, w.FrameCount, UtKinect.Joints), LayoutMapping.Kinect20, w.Label, r.Subject, dimensions))).ToList();
        var train = UtKinect.TrainSubjects(root, split);
        return new RecognitionBenchmark(RecognitionProtocol.UtKinectWindows, "utkinect", $"windows of {windowFrames} frames, hop {hop}", UtKinect.ActionNames(root),
            LayoutMapping.Kinect20.Name, LlmArSequence.Window, [BySubject($"subject split {split}", samples, train.Contains)]);
    }

    /// <summary>(d): every labelled segment of every take, whole; each subject in turn tests, the other nine train.</summary>
    public static RecognitionBenchmark UtKinectSegments(string root, int dimensions)
    {
        var samples = new List<RecognitionSample>();
        foreach (var r in UtKinect.Load(root))
            foreach (var (segment, frames) in UtKinect.SegmentFrames(r))
                samples.Add(Sample(frames, LayoutMapping.Kinect20, segment.Action, r.Subject, dimensions));
        var subjects = samples.Select(s => s.Subject).Distinct().Order();
        return new RecognitionBenchmark(RecognitionProtocol.UtKinectSegments, "utkinect", "whole segments, leave one subject out", UtKinect.ActionNames(root),
            LayoutMapping.Kinect20.Name, LlmArSequence.Take, [.. subjects.Select(test => BySubject($"subject {test} tests", samples, s => s != test))]);
    }

    static RecognitionBenchmark Msr(string root, RecognitionProtocol protocol, string description, IReadOnlyList<RecognitionFold> folds) =>
        new(protocol, "msr-action3d", description, MsrAction3D.ActionNames(root), SkeletonMlpClassifier.MsrJointOrder, LlmArSequence.Take, folds);

    /// <summary>Sequences in MSR Action3D's own joint order (as the MLP of <c>train mlp</c> reads them); clips through kinect20.</summary>
    static List<RecognitionSample> MsrSamples(string root, int dimensions) =>
        [.. MsrAction3D.Load(root).Select(s => new RecognitionSample(s.Skeletons,
            SkeletonClip.From(LayoutMapping.Kinect20, MsrAction3D.ToKinect20(s.Skeletons), dimensions), s.Action - 1, s.Subject))];

    static RecognitionSample Sample(SkeletonSequence sequence, LayoutMapping layout, int label, int subject, int dimensions) =>
        new(sequence, SkeletonClip.From(layout, sequence, dimensions), label, subject);

    static RecognitionFold BySubject(string name, IReadOnlyList<RecognitionSample> samples, Func<int, bool> trains) =>
        new(name, [.. samples.Where(s => trains(s.Subject))], [.. samples.Where(s => !trains(s.Subject))]);
}
