using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Windowing;

/// <summary>A stream handed off (its partition moved to another consumer) leaves its waiting frames unsettled and its state behind.</summary>
public class StreamHandoffTests
{
    readonly HistoricalScheduler _clock = new(SkeletonFrames.T0);
    readonly Subject<Acked<SkeletonFrame>> _frames = new();
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();
    readonly StreamHandoff _handoff = new();
    readonly List<Observation> _windows = [];

    public StreamHandoffTests() =>
        _frames.WindowPerStream(WindowOptions.ByFrames(3, 3) with { ReorderBound = 0, IdleTimeout = TimeSpan.FromSeconds(1) }, _clock, _telemetry, _handoff).Subscribe(_windows.Add);

    int SendAt(string stream, long seq, double seconds)
    {
        _clock.AdvanceTo(SkeletonFrames.T0.AddMilliseconds(Math.Round(seconds * 1000)));
        _frames.OnNext(SkeletonFrames.Acked(SkeletonFrames.Make(stream, seq, _clock.Now), _acks, out var id));
        return id;
    }

    [Fact]
    public void HandOff_LeavesWaitingFramesUnsettled_AndOtherStreamsUntouched()
    {
        int[] waitingA = [SendAt("a", 0, 0.0), SendAt("a", 1, 0.1)];
        var waitingB = SendAt("b", 0, 0.2);

        _handoff.HandOff(["a"]);
        _clock.AdvanceTo(SkeletonFrames.T0.AddSeconds(5));

        // a's frames belong to its new owner now: neither contributed nor dead-lettered here, even after the idle timeout.
        Assert.All(waitingA, id => Assert.Empty(_acks.Outcomes(id)));
        Assert.Empty(_windows);
        // b went idle as usual: its frame is settled as incomplete.
        Assert.Equal("incomplete-window", _acks.ReasonOf(waitingB));
    }

    [Fact]
    public void HandOff_ThenTheStreamReturns_StartsAfresh_NoDuplicates()
    {
        SendAt("a", 0, 0.0);
        SendAt("a", 1, 0.1);
        SendAt("a", 2, 0.2);
        Assert.Single(_windows);
        _handoff.HandOff(["a", "never-seen"]);

        // The partition comes back and the stream is read again from the last commit: the same frames form the same window.
        var again = new[] { SendAt("a", 0, 0.3), SendAt("a", 1, 0.4), SendAt("a", 2, 0.5) };
        Assert.All(again, id => Assert.Empty(_acks.Outcomes(id)));
        Assert.Equal([0L, 0L], _windows.Select(w => w.WindowId));
    }
}
