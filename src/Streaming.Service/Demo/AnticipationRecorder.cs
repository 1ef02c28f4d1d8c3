using System.Collections.Concurrent;
using Streaming.Service.Replay;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Demo;

/// <summary>What the pipeline had anticipated at one moment of an activity, and how much of it then happened.</summary>
/// <param name="Fraction">The moment as a fraction of the activity (the protocol's alpha).</param>
/// <param name="At">When the prediction shown at that moment was made: its window's end, seconds from the activity's start.</param>
/// <param name="Horizon">Seconds after <paramref name="At"/> that are scored.</param>
/// <param name="Anticipated">Its future segments, seconds from the activity's start.</param>
/// <param name="Accuracy">Of the scored span's frames that lie inside the recording, the fraction whose anticipated action was the true one (frames no segment covers count as wrong).</param>
public sealed record AnticipationMoment(double Fraction, double At, double Horizon, IReadOnlyList<TimelineSegment> Anticipated, double Accuracy);

/// <summary>An activity's ground truth and what was anticipated at several moments of it.</summary>
public sealed record AnticipationTimeline(string Stream, double Duration, IReadOnlyList<TimelineSegment> Truth, IReadOnlyList<AnticipationMoment> Moments);

/// <summary>
/// The demo's downstream viewer of action-label streams: keeps every prediction, then, for each moment alpha of each
/// replayed activity, takes the latest prediction made by then and scores its future against the ground truth that
/// followed, over the next beta of the activity (the long-term anticipation protocol's alpha and beta), frame by frame
/// at <c>fps</c>. Recording time t of a prediction is its window's end minus <see cref="Origin"/>.
/// </summary>
public sealed class AnticipationRecorder(IReadOnlyList<RecordedActivity> activities, double fps)
{
    readonly ConcurrentDictionary<string, ConcurrentQueue<ActionPrediction>> received = new(StringComparer.Ordinal);

    /// <summary>The wall time recording time 0 was mapped to by the replay.</summary>
    public DateTimeOffset Origin { get; set; }

    public long Count => received.Values.Sum(q => (long)q.Count);

    public void Add(ActionPrediction prediction) => received.GetOrAdd(prediction.Stream, _ => new ConcurrentQueue<ActionPrediction>()).Enqueue(prediction);

    public IReadOnlyList<ActionPrediction> Of(string stream) => received.TryGetValue(stream, out var q) ? [.. q] : [];

    double Seconds(DateTimeOffset time) => (time - Origin).TotalSeconds;

    public IReadOnlyList<AnticipationTimeline> Timelines(IReadOnlyList<double> fractions, double beta) => activities.Select(a =>
    {
        var predictions = Of(a.Id).OrderBy(p => p.WindowEnd).ToList();
        var moments = new List<AnticipationMoment>();
        foreach (var fraction in fractions)
        {
            double moment = fraction * a.Duration;
            var shown = predictions.LastOrDefault(p => Seconds(p.WindowEnd) <= moment + 1e-6);
            if (shown is null) continue;
            var anticipated = shown.Future.Select(f => new TimelineSegment(f.Label, Seconds(f.Start), Seconds(f.End))).ToList();
            double at = Seconds(shown.WindowEnd), horizon = beta * a.Duration;
            moments.Add(new AnticipationMoment(fraction, at, horizon, anticipated, Accuracy(a.Truth, anticipated, at, Math.Min(at + horizon, a.Duration))));
        }
        return new AnticipationTimeline(a.Id, a.Duration, a.Truth, moments);
    }).ToList();

    /// <summary>Frames in [from, to) whose anticipated label is the true one, over all frames there.</summary>
    double Accuracy(IReadOnlyList<TimelineSegment> truth, IReadOnlyList<TimelineSegment> anticipated, double from, double to)
    {
        int frames = 0, right = 0;
        for (double t = Math.Ceiling(from * fps) / fps; t < to; t += 1 / fps)
        {
            frames++;
            var expected = truth.FirstOrDefault(s => s.Start <= t && t < s.End)?.Label;
            if (expected is not null && anticipated.FirstOrDefault(s => s.Start <= t && t < s.End)?.Label == expected) right++;
        }
        return frames == 0 ? double.NaN : (double)right / frames;
    }
}
