using System.Diagnostics;
using System.Text;
using Streaming.Kafka.Producing;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Replay;

/// <summary>
/// Publishes recorded skeleton (or action-event) streams into a topic as live sources would: keyed by stream id, all
/// streams at once, each frame when its moment comes. Frames are stamped with the time they are sent, at the recording's pace scaled
/// by <c>speed</c> (2 plays twice as fast), so capture times stay honest for latency figures; speed 0 sends as fast
/// as the broker takes them.
/// </summary>
public static class ReplayPublisher
{
    /// <summary>Writes in flight at once: enough to keep the idempotent producer's pipeline full.</summary>
    const int MaxInFlight = 1024;

    /// <summary>
    /// Sends every frame of <paramref name="streams"/> (capture times relative to <paramref name="origin"/>) and returns
    /// the wall time each stream started at, for aligning ground truth with the outputs.
    /// </summary>
    public static Task<DateTimeOffset> PublishAsync(KafkaSink sink, string topic, IReadOnlyList<IReadOnlyList<SkeletonFrame>> streams, DateTimeOffset origin,
        double speed, IProgress<long>? progress, CancellationToken cancellationToken) =>
        PublishAsync(sink, topic, streams.SelectMany(s => s).OrderBy(f => f.CaptureTime).ToList(), f => f.CaptureTime,
            (f, sent, _) => (f.Stream, SkeletonFrameJson.Serialize(f with { CaptureTime = sent })), origin, speed, progress, cancellationToken);

    /// <summary>
    /// Sends every event of <paramref name="streams"/> (times relative to <paramref name="origin"/>), stamped like frames;
    /// at speed 0, though, a stream's history is its timing, so events keep the recording's own clock, shifted to end
    /// when the replay starts. Returns the wall time that recording time 0 maps to.
    /// </summary>
    public static async Task<DateTimeOffset> PublishAsync(KafkaSink sink, string topic, IReadOnlyList<IReadOnlyList<ActionEvent>> streams, DateTimeOffset origin,
        double speed, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var events = streams.SelectMany(s => s).OrderBy(e => e.Time).ToList();
        var span = speed == 0 && events.Count > 0 ? events[^1].Time - origin : TimeSpan.Zero;
        var start = await PublishAsync(sink, topic, events, e => e.Time,
            (e, sent, replayStart) => (e.Stream, ActionEventJson.Serialize(e with { Time = speed == 0 ? replayStart - span + (e.Time - origin) : sent })),
            origin, speed, progress, cancellationToken).ConfigureAwait(false);
        return start - span;
    }

    /// <summary>Sends each message when its moment comes; <c>stamp</c> makes its key and value from it, the time it is sent at and the replay's start.</summary>
    static async Task<DateTimeOffset> PublishAsync<T>(KafkaSink sink, string topic, IReadOnlyList<T> messages, Func<T, DateTimeOffset> timeOf,
        Func<T, DateTimeOffset, DateTimeOffset, (string Key, byte[] Value)> stamp, DateTimeOffset origin, double speed, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (speed < 0 || double.IsNaN(speed)) throw new ArgumentOutOfRangeException(nameof(speed), $"replay speed {speed} must be 0 (as fast as possible) or positive.");
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(MaxInFlight);
        long sent = 0;
        foreach (var message in messages)
        {
            var offset = speed == 0 ? TimeSpan.Zero : (timeOf(message) - origin) / speed;
            var wait = offset - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            var (key, value) = stamp(message, speed == 0 ? DateTimeOffset.UtcNow : start + offset, start);
            inFlight.Add(sink.PublishAsync(topic, Encoding.UTF8.GetBytes(key), value, cancellationToken: cancellationToken));
            if (inFlight.Count == MaxInFlight)
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
                inFlight.Clear();
            }
            progress?.Report(++sent);
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        return start;
    }
}
