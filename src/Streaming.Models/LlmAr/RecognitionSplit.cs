using Streaming.Models.Datasets;

namespace Streaming.Models.LlmAr;

/// <summary>One train/test split of a skeleton dataset under a published protocol, as clips.</summary>
public sealed record RecognitionSplit(string Dataset, string Protocol, IReadOnlyList<string> Labels, IReadOnlyList<LabelledClip> Train, IReadOnlyList<LabelledClip> Test)
{
    /// <summary>
    /// MSR Action3D cross-subject (Li et al. 2010; the 557 sequences of splits/files_used_in_cvpr12_paper.txt): odd subjects
    /// train, even subjects test.
    /// </summary>
    public static RecognitionSplit MsrCrossSubject(string root, int dimensions)
    {
        var clips = RecognitionClips.MsrAction3D(MsrAction3D.Load(root), dimensions);
        return BySubject("msr-action3d", "cross-subject (odd subjects train)", MsrAction3D.ActionNames(root), clips, MsrAction3D.IsTrainSubject);
    }

    /// <summary>
    /// UTKinect-Action3D windows of the continuous takes as the live pipeline forms them, with the subject split
    /// <paramref name="split"/> of derived/tr_te_splits_random10.txt (the demo's is 1).
    /// </summary>
    public static RecognitionSplit UtKinectWindows(string root, int dimensions, int windowFrames, int hop, int split = 1)
    {
        var train = UtKinect.TrainSubjects(root, split);
        var clips = RecognitionClips.UtKinectWindows(UtKinect.Load(root), dimensions, windowFrames, hop);
        return BySubject("utkinect", $"windows of {windowFrames} frames, subject split {split}", UtKinect.ActionNames(root), clips, train.Contains);
    }

    public static RecognitionSplit BySubject(string dataset, string protocol, IReadOnlyList<string> labels, IReadOnlyList<SubjectClip> clips, Func<int, bool> trains) =>
        new(dataset, protocol, labels,
            [.. clips.Where(c => trains(c.Subject)).Select(c => c.Example)],
            [.. clips.Where(c => !trains(c.Subject)).Select(c => c.Example)]);
}
