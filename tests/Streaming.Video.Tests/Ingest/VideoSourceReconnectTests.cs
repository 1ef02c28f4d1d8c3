using System.Diagnostics.Metrics;
using Streaming.Video.Ingest;
using Streaming.Video.Telemetry;

namespace Streaming.Video.Tests.Ingest;

/// <summary>A live source over a tcp:// stream that ends, stalls and refuses: backoff, reconnects, the gap in sequence numbers, the log and the metrics.</summary>
public class VideoSourceReconnectTests
{
    [Fact]
    public async Task LiveSource_EndsStallsAndRefuses_ReconnectsWithBackoffThenGivesUp()
    {
        // 8 s of video: past ffmpeg's 5 s of stream analysis, so that a connection left open still delivers its frames.
        await using var server = new ClipServer(ClipServer.TestPattern(200),
            Connection.ClipThenClose, Connection.ClipThenHang, Connection.Refuse, Connection.Refuse);
        var stream = "cam-" + Guid.NewGuid().ToString("N")[..8];
        var logger = new RecordingLogger();
        var reconnect = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(300), Multiplier = 2, MaxDelay = TimeSpan.FromSeconds(5), MaxAttempts = 2 };
        // The stall watch starts before ffmpeg connects: 4 s leaves room for its start on a loaded machine (1.5 s did not).
        var options = new VideoSourceOptions { Reconnect = reconnect, StallTimeout = TimeSpan.FromSeconds(4) };
        var source = new VideoFrameSource(VideoSourceAddress.Parse(server.Url), stream, options, logger);
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == VideoMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => t.Key == "stream" && Equals(t.Value, stream)))
                lock (measured) measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
        });
        listener.Start();

        var frames = new List<CapturedFrame>();
        var e = await Assert.ThrowsAsync<VideoSourceException>(async () =>
        {
            await foreach (var frame in source.ReadAsync()) frames.Add(frame);
        });

        // 1: the clip, ended; 2: the clip, then silence until the stall timeout; 3 and 4 refused; the third failure in a row gives up.
        Assert.Contains("2 reconnect attempts in a row brought no frame; giving up", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, server.Connections.Count);
        Assert.Equal(3, source.Reconnects);
        var reconnecting = logger.Lines.Where(l => l.Id.Id == 101).Select(l => l.Message).ToList();
        Assert.Equal(3, reconnecting.Count);
        var lines = string.Join("\n", reconnecting);
        Assert.True(reconnecting[0].Contains("ended; reconnecting in 300 ms (attempt 1)", StringComparison.Ordinal), lines);
        Assert.True(reconnecting[1].Contains("stalled (no frame for 4 s); reconnecting in 300 ms (attempt 1)", StringComparison.Ordinal), lines);
        Assert.True(reconnecting[2].Contains("failed (ffmpeg exit code", StringComparison.Ordinal), lines);
        Assert.True(reconnecting[2].Contains("reconnecting in 600 ms (attempt 2)", StringComparison.Ordinal), lines);

        // Backoff: each connection came at least its delay after the server was done with the one before.
        Assert.True(server.Connections[1].Accepted - server.Connections[0].Done >= TimeSpan.FromMilliseconds(300));
        Assert.True(server.Connections[3].Accepted - server.Connections[2].Done >= TimeSpan.FromMilliseconds(600));

        // All 200 frames of the first connection, numbered 0..199, then the second connection's after a jump for the outage.
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), frames.Take(200).Select(f => f.Sequence));
        var resumed = frames[200];
        Assert.Equal(1, source.Gaps);
        Assert.Equal(200 + source.MissedFrames, resumed.Sequence);
        // The outage lasted at least the 300 ms backoff: at 25 fps, at least round(0.3 x 25) - 1 = 7 frames missed.
        Assert.InRange(source.MissedFrames, 7, 100);
        var gap = resumed.CaptureTime - frames[199].CaptureTime;
        Assert.Equal(Math.Round(gap.TotalSeconds * 25) - 1, source.MissedFrames, 0);
        Assert.All(frames.Skip(201), f => Assert.True(f.Sequence > resumed.Sequence));
        var resumedLine = Assert.Single(logger.Lines, l => l.Id.Id == 102).Message;
        Assert.Contains($"{source.MissedFrames} frames missed at 25 fps, sequence jumps from 199 to {resumed.Sequence}", resumedLine, StringComparison.Ordinal);

        Assert.Equal(3, measured[VideoMetrics.ReconnectsName]);
        Assert.Equal(1, measured[VideoMetrics.GapsName]);
        Assert.Equal(source.MissedFrames, measured[VideoMetrics.MissedFramesName]);
        Assert.Equal(frames.Count, measured[VideoMetrics.FramesName]);
    }

    [Fact]
    public void Backoff_DoublesUpToItsCap()
    {
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(500), Multiplier = 2, MaxDelay = TimeSpan.FromSeconds(3) };
        Assert.Equal([500.0, 1000, 2000, 3000, 3000], Enumerable.Range(1, 5).Select(a => policy.DelayBefore(a).TotalMilliseconds));
    }

    [Fact]
    public void Backoff_Invalid_IsRejectedWithTheReason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(1) }.Validate());
        Assert.Contains("at least the first", e.Message, StringComparison.Ordinal);
    }
}
