using System.Globalization;
using Streaming.Models.Skeletons;

namespace Streaming.Models.Datasets;

/// <summary>One MSR Action3D recording: action (1-20), subject (1-10), repetition, and its skeletons.</summary>
public sealed record MsrAction3DSample(string Name, int Action, int Subject, int Repetition, SkeletonSequence Skeletons);

/// <summary>
/// MSR Action3D (Li, Zhang and Liu, CVPR-W 2010) as in ../shared/data/msr-action3d: files
/// <c>aAA_sSS_eEE_skeleton3D.txt</c> with 20 joints per frame, one "x y z confidence" line per joint.
/// Frames that are all zero (lost tracking) are dropped.
/// </summary>
public static class MsrAction3D
{
    public const int Joints = 20;
    public const int Classes = 20;

    /// <summary>
    /// MSR Action3D's joint i (Vemulapalli et al.'s body model order) is joint <c>Kinect20Joints[i]</c> of the Kinect SDK's
    /// 20-joint order (the pipeline's kinect20 layout).
    /// </summary>
    public static IReadOnlyList<int> Kinect20Joints { get; } = [4, 8, 2, 1, 12, 16, 0, 5, 9, 6, 10, 7, 11, 13, 17, 14, 18, 15, 19, 3];

    /// <summary>A sequence of MSR Action3D's joint order in the Kinect SDK's (kinect20).</summary>
    public static SkeletonSequence ToKinect20(SkeletonSequence msr)
    {
        ArgumentNullException.ThrowIfNull(msr);
        if (msr.Joints != Joints) throw new ArgumentException($"MSR Action3D: {msr.Joints} joints per frame, expected {Joints}.", nameof(msr));
        var positions = new float[msr.Positions.Length];
        for (int t = 0; t < msr.Frames; t++)
            for (int j = 0; j < Joints; j++)
                msr.Positions.AsSpan((t * Joints + j) * 3, 3).CopyTo(positions.AsSpan((t * Joints + Kinect20Joints[j]) * 3, 3));
        return new SkeletonSequence(positions, msr.Frames, Joints);
    }

    /// <summary>The cross-subject protocol: odd subjects train, even subjects test.</summary>
    public static bool IsTrainSubject(int subject) => subject % 2 == 1;

    /// <summary>The subjects that train in split <paramref name="split"/> (1-10) of derived/tr_te_splits_random10.txt; the other five test.</summary>
    public static IReadOnlySet<int> TrainSubjects(string root, int split) =>
        SubjectSplits.TrainSubjects(Path.Combine(root, "derived", "tr_te_splits_random10.txt"), "MSR Action3D", split);

    /// <summary>Loads the sequences listed in splits/files_used_in_cvpr12_paper.txt (557, as Wang et al. CVPR 2012).</summary>
    public static IReadOnlyList<MsrAction3DSample> Load(string root)
    {
        var list = Path.Combine(root, "splits", "files_used_in_cvpr12_paper.txt");
        if (!File.Exists(list)) throw new FileNotFoundException($"MSR Action3D: split list not found at {list}; pass the dataset folder (e.g. ../shared/data/msr-action3d).", list);
        var samples = new List<MsrAction3DSample>();
        foreach (var raw in File.ReadLines(list))
        {
            var name = raw.Trim();
            if (name.Length == 0) continue;
            var path = Path.Combine(root, "skeleton3D", name + "_skeleton3D.txt");
            if (!File.Exists(path)) throw new FileNotFoundException($"MSR Action3D: {name} is listed in {list} but {path} is missing.", path);
            samples.Add(new MsrAction3DSample(name, Field(name, 'a'), Field(name, 's'), Field(name, 'e'), ReadSkeletons(path)));
        }
        return samples;
    }

    /// <summary>The 20 action names of derived/action_names.txt (<c>&lt;id&gt; &lt;name&gt;</c>), in id order: index a - 1 is action a.</summary>
    public static IReadOnlyList<string> ActionNames(string root)
    {
        var path = Path.Combine(root, "derived", "action_names.txt");
        if (!File.Exists(path)) throw new FileNotFoundException($"MSR Action3D: action names not found at {path}.", path);
        var names = new string?[Classes];
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Trim().Split(' ', 2);
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id is >= 1 and <= Classes)
                names[id - 1] = parts[1].Trim();
        }
        var missing = Enumerable.Range(1, Classes).Where(a => names[a - 1] is null).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{path}: no name for action(s) {string.Join(", ", missing)}.");
        return names.Select(n => n!).ToArray();
    }

    static int Field(string name, char tag)
    {
        foreach (var part in name.Split('_'))
            if (part.Length > 1 && part[0] == tag && int.TryParse(part.AsSpan(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                return v;
        throw new FormatException($"MSR Action3D: file name '{name}' has no '{tag}NN' field.");
    }

    /// <summary>Reads one skeleton file, dropping all-zero frames.</summary>
    public static SkeletonSequence ReadSkeletons(string path)
    {
        var values = new List<float>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts.Length != 4) throw new FormatException($"{path}:{lineNumber}: expected 'x y z confidence', got {parts.Length} fields.");
            for (int i = 0; i < 3; i++)
                values.Add(float.Parse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        int perFrame = Joints * 3;
        if (values.Count % perFrame != 0) throw new FormatException($"{path}: {values.Count / 3} joints is not a whole number of {Joints}-joint frames.");
        var kept = new List<float>(values.Count);
        for (int f = 0; f < values.Count / perFrame; f++)
        {
            var frame = values.GetRange(f * perFrame, perFrame);
            if (frame.Exists(v => v != 0)) kept.AddRange(frame);
        }
        return new SkeletonSequence([.. kept], kept.Count / perFrame, Joints);
    }
}
