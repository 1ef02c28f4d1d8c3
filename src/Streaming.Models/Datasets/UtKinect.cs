using System.Globalization;
using Streaming.Models.Skeletons;

namespace Streaming.Models.Datasets;

/// <summary>A labelled action within a recording: frame ids <see cref="StartFrameId"/>..<see cref="EndFrameId"/>, inclusive.</summary>
public sealed record ActionSegment(int Action, int StartFrameId, int EndFrameId)
{
    public bool Contains(int frameId) => frameId >= StartFrameId && frameId <= EndFrameId;
}

/// <summary>
/// One continuous UTKinect take: the camera frame id of every skeleton row (increasing), the skeletons in the
/// <see cref="UtKinect.Joints"/>-joint Kinect v1 order, and the labelled segments in time order.
/// </summary>
public sealed record UtKinectRecording(string Take, int Subject, int[] FrameIds, SkeletonSequence Skeletons, IReadOnlyList<ActionSegment> Segments)
{
    /// <summary>The action at a frame id, or -1 where no segment covers it (transitions, idle).</summary>
    public int ActionAt(int frameId)
    {
        foreach (var s in Segments)
            if (s.Contains(frameId)) return s.Action;
        return -1;
    }
}

/// <summary>
/// UTKinect-Action3D (Xia, Chen and Aggarwal, CVPR-W 2012) as in ../shared/data/utkinect-action3d: 20 continuous
/// takes (10 subjects x 2), each performing the 10 actions once. Joints are in the Kinect SDK v1 order the sensor
/// emits (hip centre, spine, shoulder centre, head, left arm, right arm, left leg, right leg). Segments come from
/// <c>actionLabel_modified.txt</c>, Vemulapalli et al.'s corrected ranges; the one range given as NaN is left out.
/// A frame id that repeats the previous row's is dropped: the camera delivered one frame there, not two.
/// </summary>
public static class UtKinect
{
    public const int Joints = 20;

    /// <summary>The camera's frame rate: frame ids count frames at 30 per second.</summary>
    public const double FramesPerSecond = 30;

    /// <summary>Class names in label order (derived/action_names.txt).</summary>
    public static IReadOnlyList<string> ActionNames(string root) =>
        File.ReadLines(Required(root, "derived", "action_names.txt"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Trim().Split(' ', 2)[1])
            .ToArray();

    /// <summary>
    /// The subjects that train in split <paramref name="split"/> (1-10) of derived/tr_te_splits_random10.txt, the ten
    /// random 5/5 subject splits of Vemulapalli et al.; the other five test.
    /// </summary>
    public static IReadOnlySet<int> TrainSubjects(string root, int split = 1) =>
        SubjectSplits.TrainSubjects(Required(root, "derived", "tr_te_splits_random10.txt"), "UTKinect", split);

    /// <summary>The frames of each labelled segment of a take that has at least two of them, in segment order.</summary>
    public static IEnumerable<(ActionSegment Segment, SkeletonSequence Frames)> SegmentFrames(UtKinectRecording r)
    {
        ArgumentNullException.ThrowIfNull(r);
        int j3 = r.Skeletons.Joints * 3;
        foreach (var segment in r.Segments)
        {
            var rows = Enumerable.Range(0, r.FrameIds.Length).Where(i => segment.Contains(r.FrameIds[i])).ToArray();
            if (rows.Length < 2) continue;
            var positions = new float[rows.Length * j3];
            for (int i = 0; i < rows.Length; i++) r.Skeletons.Frame(rows[i]).CopyTo(positions.AsSpan(i * j3, j3));
            yield return (segment, new SkeletonSequence(positions, rows.Length, r.Skeletons.Joints));
        }
    }

    public static IReadOnlyList<UtKinectRecording> Load(string root)
    {
        var names = ActionNames(root);
        var segments = ReadSegments(Required(root, "actionLabel_modified.txt"), names);
        var recordings = new List<UtKinectRecording>();
        foreach (var (take, takeSegments) in segments)
        {
            var path = Required(root, "joints", $"joints_{take}.txt");
            var (ids, skeletons) = ReadJoints(path);
            int subject = int.Parse(take.AsSpan(1, 2), CultureInfo.InvariantCulture);
            recordings.Add(new UtKinectRecording(take, subject, ids, skeletons, takeSegments.OrderBy(s => s.StartFrameId).ToArray()));
        }
        return recordings;
    }

    /// <summary>Blocks of a take id line followed by <c>action: start end</c> lines.</summary>
    static List<(string Take, List<ActionSegment> Segments)> ReadSegments(string path, IReadOnlyList<string> names)
    {
        var takes = new List<(string, List<ActionSegment>)>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                takes.Add((line, []));
                continue;
            }
            if (takes.Count == 0) throw new FormatException($"{path}:{lineNumber}: an action line before any take id.");
            var name = line[..colon];
            int action = IndexOfAction(names, name);
            if (action < 0) throw new FormatException($"{path}:{lineNumber}: unknown action '{name}' (known: {string.Join(", ", names)}).");
            var range = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (range.Length != 2) throw new FormatException($"{path}:{lineNumber}: expected '{name}: start end', got '{line}'.");
            if (range[0] == "NaN" || range[1] == "NaN") continue;
            takes[^1].Item2.Add(new ActionSegment(action, int.Parse(range[0], CultureInfo.InvariantCulture), int.Parse(range[1], CultureInfo.InvariantCulture)));
        }
        return takes;
    }

    /// <summary>sitDown in the label file is sit_down in action_names.txt.</summary>
    static int IndexOfAction(IReadOnlyList<string> names, string name)
    {
        static string Key(string s) => s.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        for (int i = 0; i < names.Count; i++)
            if (Key(names[i]) == Key(name)) return i;
        return -1;
    }

    static (int[] Ids, SkeletonSequence Skeletons) ReadJoints(string path)
    {
        var ids = new List<int>();
        var values = new List<float>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts.Length != 1 + Joints * 3) throw new FormatException($"{path}:{lineNumber}: expected a frame id and {Joints * 3} coordinates, got {parts.Length} fields.");
            int id = int.Parse(parts[0], CultureInfo.InvariantCulture);
            if (ids.Count > 0 && id <= ids[^1])
            {
                if (id == ids[^1]) continue;
                throw new FormatException($"{path}:{lineNumber}: frame id {id} after {ids[^1]}; ids must increase.");
            }
            ids.Add(id);
            for (int i = 1; i < parts.Length; i++) values.Add(float.Parse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        return (ids.ToArray(), new SkeletonSequence(values.ToArray(), ids.Count, Joints));
    }

    static string Required(string root, params string[] parts)
    {
        var path = Path.Combine([root, .. parts]);
        if (!File.Exists(path)) throw new FileNotFoundException($"UTKinect: {path} not found; pass the dataset folder (e.g. ../shared/data/utkinect-action3d).", path);
        return path;
    }
}
