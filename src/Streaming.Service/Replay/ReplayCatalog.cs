using Streaming.Service.Demo;
using Streaming.Models.Datasets;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Replay;

/// <summary>A recorded stream ready to replay, with its ground truth where the dataset has one (seconds from its first frame).</summary>
public sealed record RecordedStream(string Id, IReadOnlyList<SkeletonFrame> Frames, IReadOnlyList<TimelineSegment> Truth)
{
    public double Duration => Frames.Count == 0 ? 0 : (Frames[^1].CaptureTime - Frames[0].CaptureTime).TotalSeconds;
}

/// <summary>A frame-label video ready to replay as action events, with its ground truth (seconds from its first frame).</summary>
public sealed record RecordedActivity(string Id, IReadOnlyList<ActionEvent> Events, IReadOnlyList<TimelineSegment> Truth, double Duration);

/// <summary>The datasets `streaming publish` and `streaming demo` replay, as streams named after their recordings.</summary>
public static class ReplayCatalog
{
    public static readonly string[] Datasets = ["utkinect", "msr-action3d", "ntu", "50salads"];

    /// <summary>
    /// 50 Salads videos as action-event streams (see <see cref="DatasetReplay.FrameLabels"/>): <paramref name="selection"/>
    /// is <c>test</c> (split 1's test videos, which the anticipator of split 1 never saw), <c>all</c>, or video names
    /// such as <c>rgb-01-1,rgb-02-2</c>. The frame rate is not in the dataset: <paramref name="fps"/> (30 for 50 Salads).
    /// </summary>
    public static IReadOnlyList<RecordedActivity> FiftySalads(string root, string selection, DateTimeOffset origin, double fps, int everyFrames)
    {
        var dataset = FrameLabelDataset.Open(root);
        var videos = selection switch
        {
            "test" => dataset.Split(1).Test,
            "all" => dataset.AllVideos(),
            _ => [.. selection.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(dataset.Video)],
        };
        return videos.Select(v =>
        {
            var id = "50salads-" + v.Name;
            return new RecordedActivity(id, DatasetReplay.FrameLabels(v, dataset.Actions, id, origin, fps, everyFrames).ToList(), Truth(v, dataset.Actions, fps), v.Labels.Length / fps);
        }).ToList();
    }

    /// <summary>The video's runs of one label as segments in seconds.</summary>
    static List<TimelineSegment> Truth(LabelledVideo video, IReadOnlyList<string> actions, double fps)
    {
        var truth = new List<TimelineSegment>();
        for (int start = 0; start < video.Labels.Length;)
        {
            int end = start;
            while (end < video.Labels.Length && video.Labels[end] == video.Labels[start]) end++;
            truth.Add(new TimelineSegment(actions[video.Labels[start]], start / fps, end / fps));
            start = end;
        }
        return truth;
    }

    /// <summary>
    /// UTKinect takes: <paramref name="selection"/> is <c>test</c> (the subjects split 1 holds out, as the baseline was
    /// evaluated), <c>all</c>, or comma-separated take ids such as <c>s01_e01,s02_e02</c>.
    /// </summary>
    public static IReadOnlyList<RecordedStream> UtKinect(string root, string selection, DateTimeOffset origin)
    {
        var takes = Models.Datasets.UtKinect.Load(root);
        var names = Models.Datasets.UtKinect.ActionNames(root);
        IEnumerable<UtKinectRecording> chosen = selection switch
        {
            "all" => takes,
            "test" => takes.Where(t => !Models.Datasets.UtKinect.TrainSubjects(root).Contains(t.Subject)),
            _ => Select(takes, selection),
        };
        return chosen.Select(t =>
        {
            double Seconds(int frameId) => (frameId - t.FrameIds[0]) / Models.Datasets.UtKinect.FramesPerSecond;
            var truth = t.Segments.Select(s => new TimelineSegment(names[s.Action], Seconds(s.StartFrameId), Seconds(s.EndFrameId))).ToList();
            return new RecordedStream("utkinect-" + t.Take, DatasetReplay.UtKinect(t, "utkinect-" + t.Take, origin).ToList(), truth);
        }).ToList();
    }

    /// <summary>MSR Action3D sequences (short clips of one action each): the first <paramref name="count"/> of the cross-subject test half.</summary>
    public static IReadOnlyList<RecordedStream> MsrAction3D(string root, int count, DateTimeOffset origin)
    {
        var names = Models.Datasets.MsrAction3D.ActionNames(root);
        return Models.Datasets.MsrAction3D.Load(root).Where(s => !Models.Datasets.MsrAction3D.IsTrainSubject(s.Subject)).Take(count)
            .Select(s => Msr(s, names, origin)).ToList();
    }

    /// <summary>
    /// MSR Action3D test sequences (even subjects, which <c>streaming train mlp</c> holds out), <paramref name="perAction"/> of
    /// each of the 20 actions, each of a different subject where it can be (action a starts at the a-th test subject): one of
    /// every action, then the second of every action, and so on, the i-th starting <paramref name="stagger"/> x i after the first.
    /// </summary>
    public static IReadOnlyList<RecordedStream> MsrAction3DPerAction(string root, int perAction, DateTimeOffset origin, TimeSpan stagger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perAction, 1);
        var test = Models.Datasets.MsrAction3D.Load(root).Where(s => !Models.Datasets.MsrAction3D.IsTrainSubject(s.Subject)).ToList();
        var subjects = test.Select(s => s.Subject).Distinct().Order().ToList();
        var chosen = test.GroupBy(s => s.Action).OrderBy(g => g.Key).SelectMany(g =>
        {
            var ordered = g.OrderBy(s => (subjects.IndexOf(s.Subject) + subjects.Count - g.Key % subjects.Count) % subjects.Count).ThenBy(s => s.Repetition).ToList();
            // One of each subject first, then the other repetitions.
            return ordered.GroupBy(s => s.Subject).Select(bySubject => bySubject.First()).Concat(ordered).Distinct().Take(perAction).Select((s, rank) => (s, rank));
        }).OrderBy(c => c.rank).ThenBy(c => c.s.Action).Select(c => c.s).ToList();
        var names = Models.Datasets.MsrAction3D.ActionNames(root);
        return chosen.Select((s, i) => Msr(s, names, origin + stagger * i)).ToList();
    }

    /// <summary>Each sequence as a stream named after its file, its action the ground truth over all its frames (frame t lasts from t/15 s to (t+1)/15 s).</summary>
    static RecordedStream Msr(MsrAction3DSample s, IReadOnlyList<string> names, DateTimeOffset origin) =>
        new("msr-" + s.Name, DatasetReplay.MsrAction3D(s.Skeletons, "msr-" + s.Name, origin).ToList(),
            [new TimelineSegment(names[s.Action - 1], 0, s.Skeletons.Frames / DatasetReplay.MsrFramesPerSecond)]);

    /// <summary>One NTU RGB+D .skeleton file as a stream named after the file.</summary>
    public static RecordedStream Ntu(string path, DateTimeOffset origin)
    {
        var id = "ntu-" + Path.GetFileNameWithoutExtension(path);
        return new RecordedStream(id, DatasetReplay.Ntu(NtuSkeleton.Read(path), id, origin).ToList(), []);
    }

    static IEnumerable<UtKinectRecording> Select(IReadOnlyList<UtKinectRecording> takes, string selection)
    {
        foreach (var id in selection.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            yield return takes.FirstOrDefault(t => t.Take == id)
                ?? throw new ArgumentException($"UTKinect has no take '{id}' (takes are {string.Join(", ", takes.Select(t => t.Take))}; or use test / all).");
    }
}
