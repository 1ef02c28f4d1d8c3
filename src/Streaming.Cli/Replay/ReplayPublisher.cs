using System.Diagnostics;
using System.Text;
using Streaming.Kafka.Producing;
using Streaming.Pipeline.Contracts;

namespace Streaming.Cli.Replay;

/// <summary>
/// Publishes recorded skeleton streams into a topic as live sources would: keyed by stream id, all streams at once,
/// each frame when its moment comes. Frames are stamped with the time they are sent, at the recording's pace scaled
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
    public static async Task<DateTimeOffset> PublishAsync(KafkaSink sink, string topic, IReadOnlyList<IReadOnlyList<SkeletonFrame>> streams, DateTimeOffset origin,
        double speed, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (speed < 0 || double.IsNaN(speed)) throw new ArgumentOutOfRangeException(nameof(speed), $"replay speed {speed} must be 0 (as fast as possible) or positive.");
        var frames = streams.SelectMany(s => s).OrderBy(f => f.CaptureTime).ToList();
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(MaxInFlight);
        long sent = 0;
        foreach (var frame in frames)
        {
            var offset = speed == 0 ? TimeSpan.Zero : (frame.CaptureTime - origin) / speed;
            var wait = offset - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            var live = frame with { CaptureTime = speed == 0 ? DateTimeOffset.UtcNow : start + offset };
            inFlight.Add(sink.PublishAsync(topic, Encoding.UTF8.GetBytes(live.Stream), SkeletonFrameJson.Serialize(live), cancellationToken: cancellationToken));
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
