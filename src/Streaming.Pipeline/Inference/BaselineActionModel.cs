using Streaming.Models.Anticipation;
using Streaming.Models.Recognition;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The baseline models behind the model stage: the pose classifier recognizes each window; consecutive windows of a
/// stream with the same recognized action form its past segments; the transition anticipator continues the current
/// segment (its elapsed time counts) with the likeliest next actions up to <paramref name="horizon"/>. Recognize,
/// Segment and Anticipate are called in that order on each batch (see <see cref="IActionModel"/>), so the latter two
/// read the state the first one updated.
/// </summary>
public sealed class BaselineActionModel(PoseClassifier classifier, TransitionAnticipator anticipator, string id, TimeSpan horizon, int topK = 3) : IActionModel
{
    /// <summary>Past segments kept per stream; older ones are dropped.</summary>
    const int MaxSegments = 32;

    /// <summary>A stream not seen for this long (in its own capture time) is forgotten.</summary>
    static readonly TimeSpan Forget = TimeSpan.FromMinutes(10);

    readonly Dictionary<string, List<ActionSegment>> history = new(StringComparer.Ordinal);

    public string Id => id;

    public IReadOnlyList<RecognizedAction> Recognize(IReadOnlyList<Observation> batch)
    {
        var results = new List<RecognizedAction>(batch.Count);
        foreach (var o in batch)
        {
            var frames = Positions(o);
            var p = classifier.Probabilities(frames, o.Frames.Count);
            var ranked = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).Take(Math.Max(topK, 1))
                .Select(i => new LabelProbability(classifier.Labels[i], p[i])).ToList();
            results.Add(new RecognizedAction(ranked[0].Label, ranked[0].Probability, ranked));
            Extend(o, ranked[0]);
        }
        ForgetIdleStreams(batch.Max(o => o.End));
        return results;
    }

    public IReadOnlyList<IReadOnlyList<ActionSegment>> Segment(IReadOnlyList<Observation> batch) =>
        batch.Select(o => (IReadOnlyList<ActionSegment>)(history.TryGetValue(o.Stream, out var s) ? [.. s] : [])).ToList();

    public IReadOnlyList<IReadOnlyList<ActionSegment>> Anticipate(IReadOnlyList<Observation> batch) => batch.Select(o =>
    {
        if (!history.TryGetValue(o.Stream, out var segments) || segments.Count == 0) return (IReadOnlyList<ActionSegment>)[];
        var current = segments[^1];
        int action = IndexOf(current.Label);
        double elapsed = (o.End - current.Start).TotalSeconds;
        return anticipator.Anticipate(action, elapsed, horizon.TotalSeconds)
            .Select(f => new ActionSegment(anticipator.Labels[f.Action], o.End + TimeSpan.FromSeconds(f.Start), o.End + TimeSpan.FromSeconds(f.End),
                f.Probability * (f.Start == 0 ? current.Probability : 1)))
            .ToList();
    }).ToList();

    /// <summary>The window's joints without their confidences: frames x joints x (x, y, z).</summary>
    float[] Positions(Observation o)
    {
        var first = o.Frames[0];
        if (first.Layout.Name != classifier.Layout || first.Layout.JointCount != classifier.Joints)
            throw new InvalidOperationException($"model {Id} was trained on {classifier.Layout} skeletons ({classifier.Joints} joints); stream {o.Stream} sends {first.Layout.Name}.");
        int joints = classifier.Joints;
        var frames = new float[o.Frames.Count * joints * 3];
        for (int t = 0; t < o.Frames.Count; t++)
            for (int j = 0; j < joints; j++)
            {
                var joint = o.Frames[t].Joint(j);
                for (int k = 0; k < 3; k++) frames[(t * joints + j) * 3 + k] = joint[k];
            }
        return frames;
    }

    /// <summary>Adds the window to its stream's segments: extends the last one when the action is the same.</summary>
    void Extend(Observation o, LabelProbability recognized)
    {
        if (!history.TryGetValue(o.Stream, out var segments)) history[o.Stream] = segments = [];
        if (segments.Count > 0 && segments[^1].Label == recognized.Label && o.Start <= segments[^1].End)
        {
            var last = segments[^1];
            segments[^1] = last with { End = o.End > last.End ? o.End : last.End, Probability = Math.Max(last.Probability, recognized.Probability) };
            return;
        }
        // Windows overlap by the hop: the new segment starts where the previous one ends.
        var start = segments.Count > 0 && segments[^1].End > o.Start ? segments[^1].End : o.Start;
        segments.Add(new ActionSegment(recognized.Label, start, o.End, recognized.Probability));
        if (segments.Count > MaxSegments) segments.RemoveAt(0);
    }

    void ForgetIdleStreams(DateTimeOffset now)
    {
        foreach (var stream in history.Where(h => h.Value.Count > 0 && now - h.Value[^1].End > Forget).Select(h => h.Key).ToList())
            history.Remove(stream);
    }

    int IndexOf(string label)
    {
        for (int i = 0; i < anticipator.Labels.Count; i++)
            if (anticipator.Labels[i] == label) return i;
        throw new InvalidOperationException($"model {Id}: the anticipator does not know the recognizer's label '{label}'.");
    }
}
