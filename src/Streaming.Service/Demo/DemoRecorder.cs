using System.Collections.Concurrent;
using Streaming.Service.Replay;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Demo;

/// <summary>A prediction as the demo's viewer received it.</summary>
public sealed record ReceivedPrediction(ActionPrediction Prediction, DateTimeOffset ReceivedAt)
{
    /// <summary>From the window's last frame being captured to the prediction arriving downstream.</summary>
    public double LatencyMs => (ReceivedAt - Prediction.WindowEnd).TotalMilliseconds;
}

/// <summary>
/// What the demo's downstream viewer saw, scored against the replayed recordings: per stream, which action was
/// recognized live and which one had been anticipated <see cref="Lead"/> seconds before each moment.
/// Recording time t of a window is (capture time - <see cref="ReplayStart"/>) * speed, less the time its stream started
/// after the first one (streams may start at different moments of the replay), so each stream's time starts at its first frame.
/// </summary>
public sealed class DemoRecorder(IReadOnlyList<RecordedStream> streams, double speed, double lead)
{
    readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedPrediction>> received = new(StringComparer.Ordinal);
    readonly Dictionary<string, RecordedStream> byId = streams.ToDictionary(s => s.Id, StringComparer.Ordinal);
    readonly Dictionary<string, double> startsAfter = StartsAfterFirst(streams);

    public double Lead => lead;

    /// <summary>When the replay sent its first frames: recording time 0.</summary>
    public DateTimeOffset ReplayStart { get; set; } = DateTimeOffset.UtcNow;

    public long Count => received.Values.Sum(q => (long)q.Count);

    public void Add(ActionPrediction prediction, DateTimeOffset receivedAt) =>
        received.GetOrAdd(prediction.Stream, _ => new ConcurrentQueue<ReceivedPrediction>()).Enqueue(new ReceivedPrediction(prediction, receivedAt));

    public IReadOnlyList<ReceivedPrediction> Of(string stream) => received.TryGetValue(stream, out var q) ? [.. q] : [];

    /// <summary>Seconds from the stream's first frame, in the recording's pace.</summary>
    public double RecordingTime(string stream, DateTimeOffset capture) => (capture - ReplayStart).TotalSeconds * speed - startsAfter.GetValueOrDefault(stream);

    /// <summary>When each stream's first frame comes, in seconds of recording after the earliest stream's.</summary>
    static Dictionary<string, double> StartsAfterFirst(IReadOnlyList<RecordedStream> streams)
    {
        var starts = streams.Where(s => s.Frames.Count > 0).ToDictionary(s => s.Id, s => s.Frames[0].CaptureTime, StringComparer.Ordinal);
        if (starts.Count == 0) return new Dictionary<string, double>(StringComparer.Ordinal);
        var first = starts.Values.Min();
        return starts.ToDictionary(p => p.Key, p => (p.Value - first).TotalSeconds, StringComparer.Ordinal);
    }

    /// <summary>The labelled action at recording time t, or null between labelled segments.</summary>
    public string? TruthAt(string stream, double t) =>
        byId.TryGetValue(stream, out var s) ? s.Truth.FirstOrDefault(seg => seg.Start <= t && t <= seg.End)?.Label : null;

    /// <summary>What the stream's latest prediction expects at recording time t (from its future segments), if anything.</summary>
    public static string? AnticipatedAt(ActionPrediction p, DateTimeOffset when) => p.Future.FirstOrDefault(f => f.Start <= when && when < f.End)?.Label;

    /// <summary>Windows whose end lies in a labelled segment, and how many of them were recognized right.</summary>
    public (int Scored, int Right) Recognition(string stream)
    {
        int scored = 0, right = 0;
        foreach (var r in Of(stream))
            if (TruthAt(stream, RecordingTime(stream, r.Prediction.WindowEnd)) is { } truth)
            {
                scored++;
                if (r.Prediction.Recognized.Label == truth) right++;
            }
        return (scored, right);
    }

    /// <summary>Predictions made <see cref="Lead"/> seconds before a labelled moment, and how many named that moment's action.</summary>
    public (int Scored, int Right) Anticipation(string stream)
    {
        int scored = 0, right = 0;
        foreach (var r in Of(stream))
        {
            var when = r.Prediction.WindowEnd + TimeSpan.FromSeconds(lead / speed);
            if (TruthAt(stream, RecordingTime(stream, when)) is not { } truth) continue;
            scored++;
            if (AnticipatedAt(r.Prediction, when) == truth) right++;
        }
        return (scored, right);
    }

    public IReadOnlyList<StreamTimeline> Timelines() => streams.Select(s =>
    {
        var outputs = Of(s.Id).OrderBy(r => r.Prediction.WindowEnd).ToList();
        var recognized = Runs(outputs.Select(r => (RecordingTime(s.Id, r.Prediction.WindowEnd), (string?)r.Prediction.Recognized.Label)).ToList());
        var anticipated = Runs(outputs.Select(r =>
        {
            var when = r.Prediction.WindowEnd + TimeSpan.FromSeconds(lead / speed);
            return (RecordingTime(s.Id, when), AnticipatedAt(r.Prediction, when));
        }).ToList());
        return new StreamTimeline(s.Id, s.Duration, s.Truth, recognized, anticipated, lead);
    }).ToList();

    /// <summary>Labels at increasing times as segments: each label holds until the next point.</summary>
    static List<TimelineSegment> Runs(List<(double Time, string? Label)> points)
    {
        var segments = new List<TimelineSegment>();
        for (int i = 0; i < points.Count; i++)
        {
            if (points[i].Label is not { } label) continue;
            double end = i + 1 < points.Count ? points[i + 1].Time : points[i].Time;
            if (segments.Count > 0 && segments[^1].Label == label && Math.Abs(segments[^1].End - points[i].Time) < 1e-9)
                segments[^1] = segments[^1] with { End = end };
            else segments.Add(new TimelineSegment(label, points[i].Time, end));
        }
        return segments;
    }
}
