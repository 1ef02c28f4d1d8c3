using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Windowing;

/// <summary>What the window builder keeps of each stream for the model stage: the take so far and the recognition history, on every window.</summary>
public sealed class StreamStateTests : IDisposable
{
    readonly HistoricalScheduler _clock = new(SkeletonFrames.T0);
    readonly Subject<Acked<SkeletonFrame>> _frames = new();
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();
    readonly List<Observation> _windows = [];

    public StreamStateTests() =>
        _frames.WindowPerStream(WindowOptions.ByFrames(4, 2) with { ReorderBound = 0, IdleTimeout = TimeSpan.FromSeconds(30) }, _clock, _telemetry).Subscribe(_windows.Add);

    public void Dispose() => _telemetry.Dispose();

    void Send(string stream, long seq, DateTimeOffset time, SkeletonLayout? layout = null)
    {
        if (time > _clock.Now) _clock.AdvanceTo(time);
        _frames.OnNext(SkeletonFrames.Acked(SkeletonFrames.Make(stream, seq, time, layout), _acks, out _));
    }

    static DateTimeOffset At(long seq) => SkeletonFrames.T0 + TimeSpan.FromTicks(seq * TimeSpan.TicksPerSecond / 30);

    [Fact]
    public void WindowPerStream_Take_GrowsFrameByFrameAndAGapBeginsANewOne()
    {
        for (long s = 0; s < 8; s++) Send("a", s, At(s));
        var resume = At(7) + SkeletonTake.NewTakeGap + TimeSpan.FromSeconds(1);
        for (long s = 8; s < 14; s++) Send("a", s, resume + TimeSpan.FromTicks((s - 8) * TimeSpan.TicksPerSecond / 30));

        // Windows 0-3, 2-5, 4-7 | 6-9, 8-11, 10-13: the one straddling the gap sees the new take's frames 8 and 9 only.
        Assert.Equal([4, 6, 8, 2, 4, 6], _windows.Select(w => w.Take!.Frames.Count));
        Assert.Equal([At(0), At(0), At(0), resume, resume, resume], _windows.Select(w => w.Take!.Start));
        Assert.All(_windows, w => Assert.Equal(w.End, w.Take!.End));
        var last = _windows[^1];
        Assert.Equal(SkeletonFrames.Make("a", 13, resume).Positions(), last.Take!.Frames[^1].ToArray());
        Assert.Equal(last.Frames[^1].Positions(), last.Positions!.Frame(3).ToArray());
    }

    [Fact]
    public void WindowPerStream_Take_ALayoutChangeBeginsANewOne()
    {
        for (long s = 0; s < 6; s++) Send("a", s, At(s));
        for (long s = 6; s < 10; s++) Send("a", s, At(s), SkeletonLayout.Ntu25);

        // Windows 0-3, 2-5 in kinect20 | 4-7 mixes layouts | 6-9 in ntu25: the take restarts at frame 6, the first ntu25 one.
        Assert.Equal([4, 6, 2, 4], _windows.Select(w => w.Take!.Frames.Count));
        Assert.Equal([SkeletonLayout.Kinect20, SkeletonLayout.Kinect20, SkeletonLayout.Ntu25, SkeletonLayout.Ntu25], _windows.Select(w => w.Take!.Layout));
        Assert.Equal([At(0), At(0), At(6), At(6)], _windows.Select(w => w.Take!.Start));
        Assert.Null(_windows[2].Positions);
        Assert.Equal(25, _windows[3].Positions!.Joints);
    }

    [Fact]
    public void WindowPerStream_LongTake_KeepsItsMostRecentFrames()
    {
        for (long s = 0; s < SkeletonTake.MaxFrames + 10; s++) Send("a", s, At(s));
        var take = _windows[^1].Take!;
        Assert.Equal(SkeletonTake.MaxFrames, take.Frames.Count);
        Assert.Equal(At(0), take.Start);
        Assert.Equal(SkeletonFrames.Make("a", SkeletonTake.MaxFrames + 9, At(0)).Positions(), take.Frames[^1].ToArray());
    }

    [Fact]
    public void WindowPerStream_IdleExpiry_StartsTheStreamsStateAfresh()
    {
        for (long s = 0; s < 4; s++) Send("a", s, At(s));
        var before = Assert.Single(_windows);
        before.Recognitions!.Add(before.Start, before.End, new LabelProbability("wave", 0.9));
        _clock.AdvanceBy(TimeSpan.FromSeconds(31)); // the group expires
        // Capture times continue without a gap: only the stream's expiry can begin a new take.
        for (long s = 4; s < 8; s++) Send("a", s, _clock.Now + TimeSpan.FromTicks((s - 4) * TimeSpan.TicksPerSecond / 30));

        var after = Assert.Single(_windows.Skip(1));
        Assert.NotSame(before.Recognitions, after.Recognitions);
        Assert.Empty(after.Recognitions!.Segments);
        Assert.Equal(4, after.Take!.Frames.Count);
        Assert.Equal(after.Frames[0].CaptureTime, after.Take.Start);
    }

    [Fact]
    public void WindowPerStream_TwoStreams_KeepSeparateState()
    {
        for (long s = 0; s < 6; s++)
        {
            Send("a", s, At(s));
            Send("b", s, At(s) + TimeSpan.FromMilliseconds(5));
        }
        var a = _windows.Where(w => w.Stream == "a").ToList();
        var b = _windows.Where(w => w.Stream == "b").ToList();
        Assert.Equal(2, a.Count);
        Assert.Equal(2, b.Count);
        Assert.Same(a[0].Recognitions, a[1].Recognitions);
        Assert.NotSame(a[0].Recognitions, b[0].Recognitions);
        a[1].Recognitions!.Add(a[1].Start, a[1].End, new LabelProbability("wave", 0.9));
        Assert.Empty(b[1].Recognitions!.Segments);
        Assert.Equal([At(0), At(0) + TimeSpan.FromMilliseconds(5)], new[] { a[1], b[1] }.Select(w => w.Take!.Start));
        Assert.Equal(6, b[1].Take!.Frames.Count);
    }
}
