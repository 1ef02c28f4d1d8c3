using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Windowing;

public class StreamGroupingTests
{
    readonly HistoricalScheduler _clock = new(SkeletonFrames.T0);
    readonly Subject<Acked<SkeletonFrame>> _frames = new();
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();

    int SendAt(string stream, long seq, double seconds)
    {
        _clock.AdvanceTo(SkeletonFrames.T0.AddMilliseconds(Math.Round(seconds * 1000)));
        _frames.OnNext(SkeletonFrames.Acked(SkeletonFrames.Make(stream, seq, _clock.Now), _acks, out var id));
        return id;
    }

    [Fact]
    public void GroupByStream_IdleStream_ExpiresAndReappearsAsNewGroup()
    {
        var groups = new List<(string Key, DateTimeOffset Opened)>();
        var closed = new List<(string Key, DateTimeOffset Closed)>();
        _frames.GroupByStream(TimeSpan.FromSeconds(2), _clock, _telemetry).Subscribe(g =>
        {
            groups.Add((g.Key, _clock.Now));
            g.Subscribe(_ => { }, () => closed.Add((g.Key, _clock.Now)));
        });
        SendAt("a", 0, 0);
        SendAt("b", 0, 0.5);
        SendAt("a", 1, 1.5);
        SendAt("b", 1, 2.4);
        _clock.AdvanceTo(SkeletonFrames.T0.AddSeconds(3.4));
        Assert.Empty(closed);
        _clock.AdvanceTo(SkeletonFrames.T0.AddSeconds(3.5));
        Assert.Equal([("a", SkeletonFrames.T0.AddSeconds(3.5))], closed);
        SendAt("a", 2, 4);
        _clock.AdvanceTo(SkeletonFrames.T0.AddSeconds(10));
        Assert.Equal(["a", "b", "a"], groups.Select(g => g.Key));
        Assert.Equal(["a", "b", "a"], closed.Select(c => c.Key));
        Assert.Equal(SkeletonFrames.T0.AddMilliseconds(4400), closed[1].Closed);
    }

    [Fact]
    public void WindowPerStream_IdleExpiry_SettlesHeldFramesAndRestartsWindowIds()
    {
        var options = WindowOptions.ByFrames(2, 2) with { ReorderBound = 0, IdleTimeout = TimeSpan.FromSeconds(1) };
        var windows = new List<Observation>();
        _frames.WindowPerStream(options, _clock, _telemetry).Subscribe(windows.Add);
        SendAt("a", 0, 0.0);
        SendAt("a", 1, 0.1);
        var leftOver = SendAt("a", 2, 0.2);
        _clock.AdvanceTo(SkeletonFrames.T0.AddSeconds(5));
        Assert.Equal("incomplete-window", _acks.ReasonOf(leftOver));
        // The stream comes back: seq 0 is not a duplicate of the expired state, and window ids start over.
        SendAt("a", 0, 6.0);
        SendAt("a", 1, 6.1);
        Assert.Equal([("a", 0L), ("a", 0L)], windows.Select(w => (w.Stream, w.WindowId)));
        Assert.Equal(2, windows.Count(w => w.Frames.Count == 2));
    }

    [Fact]
    public void WindowPerStream_InterleavedStreams_WindowedSeparately()
    {
        var windows = new List<Observation>();
        _frames.WindowPerStream(WindowOptions.ByFrames(3, 3) with { ReorderBound = 0 }, _clock, _telemetry).Subscribe(windows.Add);
        for (int s = 0; s < 3; s++)
        {
            SendAt("a", s, s * 0.1);
            SendAt("b", s, s * 0.1 + 0.05);
        }
        Assert.Equal(["a", "b"], windows.Select(w => w.Stream));
        Assert.All(windows, w => Assert.All(w.Frames, f => Assert.Equal(w.Stream, f.Stream)));
    }
}
