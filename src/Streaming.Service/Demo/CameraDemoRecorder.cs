using System.Collections.Concurrent;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Demo;

/// <summary>
/// What the camera demo's downstream viewer received, per stream: the predictions, which say per window what was
/// recognized and, in <see cref="ActionPrediction.LastFrame"/>, where the keypoints of the window's last frame were. A
/// frame is annotated with the latest prediction whose last frame is not after it, as a live overlay would draw it.
/// </summary>
public sealed class CameraDemoRecorder
{
    readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedPrediction>> received = new(StringComparer.Ordinal);

    public void Add(ActionPrediction prediction, DateTimeOffset receivedAt) =>
        received.GetOrAdd(prediction.Stream, _ => new ConcurrentQueue<ReceivedPrediction>()).Enqueue(new ReceivedPrediction(prediction, receivedAt));

    public long Count => received.Values.Sum(q => (long)q.Count);

    /// <summary>The stream's predictions by the sequence number of their last frame.</summary>
    public IReadOnlyList<ReceivedPrediction> Of(string stream) =>
        received.TryGetValue(stream, out var q) ? [.. q.Where(r => r.Prediction.LastFrame is not null).OrderBy(r => r.Prediction.LastFrame!.Sequence)] : [];

    /// <summary>
    /// The prediction to draw on each frame, asked in increasing sequence numbers: the latest whose last frame is not
    /// after it (null before the stream's first window ends).
    /// </summary>
    public Func<long, ActionPrediction?> Overlay(string stream)
    {
        var predictions = Of(stream);
        var next = 0;
        ActionPrediction? current = null;
        return seq =>
        {
            while (next < predictions.Count && predictions[next].Prediction.LastFrame!.Sequence <= seq) current = predictions[next++].Prediction;
            return current;
        };
    }

    /// <summary>
    /// The stream's timeline, in seconds from its first frame at <paramref name="framesPerSecond"/>: no ground truth (the
    /// clips have none), what was recognized, and what had been anticipated <paramref name="lead"/> seconds before.
    /// </summary>
    public StreamTimeline Timeline(string stream, int frames, double framesPerSecond, double lead)
    {
        var outputs = Of(stream).Select(r => r.Prediction).ToList();
        double Time(ActionPrediction p) => (p.LastFrame!.Sequence + 1) / framesPerSecond;
        var recognized = new List<TimelineSegment>();
        var anticipated = new List<TimelineSegment>();
        for (var i = 0; i < outputs.Count; i++)
        {
            var p = outputs[i];
            var end = i + 1 < outputs.Count ? Time(outputs[i + 1]) : frames / framesPerSecond;
            Extend(recognized, p.Recognized.Label, Time(p), end);
            var when = p.WindowEnd + TimeSpan.FromSeconds(lead);
            if (DemoRecorder.AnticipatedAt(p, when) is { } next) Extend(anticipated, next, Time(p) + lead, end + lead);
        }
        return new StreamTimeline(stream, frames / framesPerSecond, [], recognized, anticipated, lead);
    }

    static void Extend(List<TimelineSegment> segments, string label, double start, double end)
    {
        if (segments.Count > 0 && segments[^1].Label == label && segments[^1].End >= start - 1e-9) segments[^1] = segments[^1] with { End = end };
        else segments.Add(new TimelineSegment(label, start, end));
    }
}
