using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Results;

public class SmoothingTests
{
    /// <summary>Runs one-frame windows through the motion model; positions that move read "moving".</summary>
    static List<ActionPrediction> Run(IEnumerable<(string Stream, bool Moving)> windows, int smoothing, AckLog acks)
    {
        var clock = new HistoricalScheduler(SkeletonFrames.T0);
        var source = new Subject<Observation>();
        var published = new List<ActionPrediction>();
        using var telemetry = new PipelineTelemetry();
        source.InferInBatches(new MotionModel(), new MicroBatchOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero }, clock, clock, telemetry)
            .Smooth(smoothing)
            .SinkTo(published.Add)
            .Subscribe();
        long id = 0;
        foreach (var (stream, moving) in windows)
        {
            var frame = SkeletonFrames.At30Fps(stream, id);
            source.OnNext(new Observation(stream, id++, frame.CaptureTime, frame.CaptureTime, [frame], [acks.NewToken()], clock.Now) { Positions = MotionModel.Positions(moving) });
            clock.AdvanceBy(TimeSpan.FromMilliseconds(10));
        }
        return published;
    }

    [Fact]
    public void Smooth_OneNoisyWindow_DoesNotFlipTheLabel()
    {
        var acks = new AckLog();
        var pattern = new[] { true, true, false, true, true }.Select(m => ("cam-1", m)).ToList();
        Assert.Equal(["moving", "moving", "still", "moving", "moving"], Run(pattern, 1, acks).Select(p => p.Recognized.Label));
        var smoothed = Run(pattern, 3, acks);
        Assert.Equal(["moving", "moving", "moving", "moving", "moving"], smoothed.Select(p => p.Recognized.Label));
        Assert.InRange(smoothed[2].Recognized.Probability, 0.6, 0.7); // (0.99 + 0.99 + 0) / 3
        Assert.All(Enumerable.Range(0, acks.Count), i => Assert.True(acks.Single(i).Contributed));
    }

    [Fact]
    public void Smooth_Streams_KeepSeparateHistories()
    {
        var acks = new AckLog();
        var smoothed = Run([("a", true), ("b", false), ("a", true), ("b", false)], 4, acks);
        Assert.Equal(["moving", "still", "moving", "still"], smoothed.Select(p => p.Recognized.Label));
    }

    [Fact]
    public void Smooth_ArgumentChecking() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Observable.Empty<PendingOutput>().Smooth(0));
}
