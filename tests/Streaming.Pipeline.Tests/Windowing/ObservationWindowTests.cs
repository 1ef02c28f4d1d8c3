using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Windowing;

public class ObservationWindowTests
{
    readonly HistoricalScheduler _clock = new(SkeletonFrames.T0);
    readonly Subject<Acked<SkeletonFrame>> _frames = new();
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();
    readonly List<Observation> _windows = [];
    bool _completed;

    void Start(WindowOptions options) =>
        _frames.ToObservations("cam-1", options, _clock, _telemetry).Subscribe(_windows.Add, () => _completed = true);

    int Send(long seq) => Send(SkeletonFrames.At30Fps("cam-1", seq));

    int Send(SkeletonFrame frame)
    {
        _frames.OnNext(SkeletonFrames.Acked(frame, _acks, out var id));
        return id;
    }

    static long[] Seqs(Observation o) => o.Frames.Select(f => f.Sequence).ToArray();

    [Fact]
    public void ToObservations_ByFrames_LengthFourHopTwo()
    {
        Start(WindowOptions.ByFrames(4, 2) with { ReorderBound = 0 });
        for (int s = 0; s < 9; s++) Send(s);
        Assert.Equal([[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7]], _windows.Select(Seqs));
        Assert.Equal([0L, 1, 2], _windows.Select(w => w.WindowId));
        Assert.Equal(SkeletonFrames.At30Fps("cam-1", 2).CaptureTime, _windows[1].Start);
        Assert.Equal(SkeletonFrames.At30Fps("cam-1", 5).CaptureTime, _windows[1].End);
        Assert.All(_windows, w => Assert.Equal(w.Frames.Count, w.Acks.Count));
    }

    [Fact]
    public void ToObservations_ByFrames_StreamPickedUpMidWay_SameWindowsAndIdsAsFromItsStart()
    {
        Start(WindowOptions.ByFrames(4, 2) with { ReorderBound = 0 });
        // As after a restart that replays the stream from a committed offset: 0..4 were handled by the run before.
        var beforeBoundary = Send(5);
        for (int s = 6; s < 13; s++) Send(s);
        Assert.Equal("incomplete-window", _acks.ReasonOf(beforeBoundary));
        Assert.Contains("picked up mid-way", _acks.Single(beforeBoundary).Rejection!.Message);
        // From its start the stream has windows 0-3 #0, 2-5 #1, 4-7 #2, 6-9 #3, 8-11 #4: the replay repeats #3 and #4 exactly.
        Assert.Equal([[6, 7, 8, 9], [8, 9, 10, 11]], _windows.Select(Seqs));
        Assert.Equal([3L, 4], _windows.Select(w => w.WindowId));
    }

    [Fact]
    public void ToObservations_ByTime_OneSecondHopHalf()
    {
        Start(WindowOptions.ByTime(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500)) with { ReorderBound = 0 });
        for (int s = 0; s <= 60; s++) Send(s); // 2 s at 30 fps
        Assert.Equal(3, _windows.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), Seqs(_windows[0]));
        Assert.Equal(Enumerable.Range(15, 30).Select(i => (long)i), Seqs(_windows[1]));
        Assert.Equal(Enumerable.Range(30, 30).Select(i => (long)i), Seqs(_windows[2]));
        Assert.Equal(SkeletonFrames.T0.AddMilliseconds(500), _windows[1].Start);
        Assert.Equal(SkeletonFrames.T0.AddMilliseconds(1500), _windows[1].End);
    }

    [Fact]
    public void ToObservations_ByTime_GapSkipsEmptyWindows()
    {
        Start(WindowOptions.ByTime(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) with { ReorderBound = 0, MaxFutureSkew = TimeSpan.FromMinutes(1) });
        Send(SkeletonFrames.Make("cam-1", 0, SkeletonFrames.T0));
        Send(SkeletonFrames.Make("cam-1", 1, SkeletonFrames.T0.AddSeconds(0.5)));
        Send(SkeletonFrames.Make("cam-1", 2, SkeletonFrames.T0.AddSeconds(10.2)));
        Send(SkeletonFrames.Make("cam-1", 3, SkeletonFrames.T0.AddSeconds(11.1)));
        Assert.Equal([[0, 1], [2]], _windows.Select(Seqs));
        Assert.Equal(SkeletonFrames.T0.AddSeconds(10), _windows[1].Start);
    }

    [Fact]
    public void ToObservations_OutOfOrderWithinBound_Reordered()
    {
        Start(WindowOptions.ByFrames(6, 6) with { ReorderBound = 3 });
        foreach (var s in new long[] { 0, 2, 1, 5, 3, 4, 6, 7, 8, 9 }) Send(s);
        Assert.Equal([[0, 1, 2, 3, 4, 5]], _windows.Select(Seqs));
        Assert.Empty(_acks.Reasons());
    }

    [Fact]
    public void ToObservations_BeyondReorderBound_RejectedAsLate()
    {
        Start(WindowOptions.ByFrames(4, 4) with { ReorderBound = 2 });
        Send(0);
        foreach (var s in new long[] { 2, 3, 4 }) Send(s); // buffer over its bound: 1 is given up on
        var late = Send(1);
        Assert.Equal("late", _acks.ReasonOf(late));
        Assert.Contains("reorder buffer", _acks.Single(late).Rejection!.Message);
    }

    [Fact]
    public void ToObservations_RepeatedSequence_RejectedAsDuplicate()
    {
        Start(WindowOptions.ByFrames(4, 4) with { ReorderBound = 2 });
        Send(0);
        var inBuffer = Send(0);
        Send(1);
        Send(2);
        var released = Send(1);
        Assert.Equal("duplicate", _acks.ReasonOf(inBuffer));
        Assert.Equal("duplicate", _acks.ReasonOf(released));
    }

    [Fact]
    public void ToObservations_FarFutureTimestamp_RejectedAsFuture()
    {
        Start(WindowOptions.ByFrames(2, 2) with { ReorderBound = 0, MaxFutureSkew = TimeSpan.FromSeconds(5) });
        var ok = Send(SkeletonFrames.Make("cam-1", 0, SkeletonFrames.T0.AddSeconds(4)));
        var future = Send(SkeletonFrames.Make("cam-1", 1, SkeletonFrames.T0.AddHours(3)));
        Assert.Equal("future-timestamp", _acks.ReasonOf(future));
        Assert.Empty(_acks.Outcomes(ok));
        _clock.AdvanceBy(TimeSpan.FromHours(3)); // the clock catches up: the same capture time is now fine
        var later = Send(SkeletonFrames.Make("cam-1", 2, SkeletonFrames.T0.AddHours(3)));
        Assert.Empty(_acks.Outcomes(later));
    }

    [Fact]
    public void ToObservations_TimeBeforeStreamsWindow_RejectedAsLate()
    {
        Start(WindowOptions.ByTime(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) with { ReorderBound = 0 });
        Send(SkeletonFrames.Make("cam-1", 0, SkeletonFrames.T0.AddSeconds(1)));
        Send(SkeletonFrames.Make("cam-1", 1, SkeletonFrames.T0.AddSeconds(2.1)));
        var old = Send(SkeletonFrames.Make("cam-1", 2, SkeletonFrames.T0.AddSeconds(0.5)));
        Assert.Equal("late", _acks.ReasonOf(old));
        Assert.Contains("before the stream's current window", _acks.Single(old).Rejection!.Message);
    }

    [Fact]
    public void ToObservations_Completion_FlushesReorderBufferAndRejectsIncompleteWindow()
    {
        Start(WindowOptions.ByFrames(3, 3) with { ReorderBound = 4 });
        var ids = new[] { 0L, 1, 2, 3 }.Select(Send).ToArray();
        Assert.Empty(_windows);
        _frames.OnCompleted();
        Assert.True(_completed);
        Assert.Equal([[0, 1, 2]], _windows.Select(Seqs));
        Assert.Equal("incomplete-window", _acks.ReasonOf(ids[3]));
        Assert.All(ids[..3], id => Assert.Empty(_acks.Outcomes(id))); // held by the window until it is published
    }

    [Fact]
    public void ToObservations_ArgumentChecking()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _frames.ToObservations("cam-1", WindowOptions.ByFrames(4, 5), _clock, _telemetry));
        Assert.Throws<ArgumentOutOfRangeException>(() => _frames.ToObservations("cam-1", WindowOptions.ByFrames(0, 1), _clock, _telemetry));
        Assert.Throws<ArgumentOutOfRangeException>(() => _frames.ToObservations("cam-1", WindowOptions.ByTime(TimeSpan.Zero, TimeSpan.Zero), _clock, _telemetry));
        Assert.Throws<ArgumentOutOfRangeException>(() => _frames.ToObservations("cam-1", WindowOptions.ByFrames(4, 2) with { ReorderBound = -1 }, _clock, _telemetry));
        Assert.Throws<ArgumentNullException>(() => _frames.ToObservations("cam-1", WindowOptions.ByFrames(4, 2), null!, _telemetry));
    }
}
