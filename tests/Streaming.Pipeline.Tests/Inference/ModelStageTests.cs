using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Inference;

public sealed class ModelStageTests : IDisposable
{
    readonly HistoricalScheduler _clock = new(SkeletonFrames.T0);
    // The model runs only when this clock is advanced: until then it is "busy" and windows queue up.
    readonly HistoricalScheduler _modelClock = new(SkeletonFrames.T0);
    readonly Subject<Observation> _windows = new();
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();
    readonly MetricsRecorder _metrics;
    readonly MotionModel _model = new();
    readonly List<PendingOutput> _outputs = [];
    bool _completed;

    public ModelStageTests() => _metrics = new MetricsRecorder(_telemetry);

    public void Dispose()
    {
        _metrics.Dispose();
        _telemetry.Dispose();
    }

    void Start(MicroBatchOptions options, IScheduler? modelScheduler = null) =>
        _windows.InferInBatches(_model, options, _clock, modelScheduler ?? _modelClock, _telemetry)
            .Subscribe(o => { _outputs.Add(o); o.Acknowledge(); }, () => _completed = true);

    /// <summary>A one-frame window of <paramref name="stream"/> with id <paramref name="id"/>; returns the frame's ack id.</summary>
    int Send(string stream, long id)
    {
        var frame = SkeletonFrames.At30Fps(stream, id);
        var token = _acks.NewToken(out var ackId);
        _windows.OnNext(new Observation(stream, id, frame.CaptureTime, frame.CaptureTime, [frame], [token], _clock.Now) { Positions = MotionModel.Positions(moving: true) });
        return ackId;
    }

    // A virtual-time scheduler runs nothing on a zero advance; one tick runs what is queued.
    void RunModel() => _modelClock.AdvanceBy(TimeSpan.FromTicks(1));

    static string Names(IReadOnlyList<Observation> batch) => string.Join(" ", batch.Select(o => o.Stream + o.WindowId));

    [Fact]
    public void InferInBatches_FullBatches_RespectMaxSizeAndMixStreamsRoundRobin()
    {
        Start(new MicroBatchOptions { MaxBatchSize = 3, MaxWait = TimeSpan.FromSeconds(1), PerStreamCapacity = 8 });
        Send("a", 0);
        Send("b", 0);
        Send("c", 0); // third window: a full batch goes at once
        foreach (var (s, i) in new[] { ("a", 1), ("a", 2), ("a", 3), ("b", 1), ("c", 1) }) Send(s, i);
        RunModel(); // first batch done; the next takes one window per stream, not three of a
        RunModel();
        Assert.Equal(["a0 b0 c0", "a1 b1 c1"], _model.Batches.Select(Names));
        Assert.Equal(6, _outputs.Count);
        Assert.Equal([3, 3], _metrics.BatchSizes);
    }

    [Fact]
    public void InferInBatches_RefusedWindows_DroppedWithTheModelsReason_NeverBatched()
    {
        _model.Refuses = o => o.Stream == "b" ? new Rejection(RejectionReason.UnservedLayout, $"window {o.WindowId} of b is in a layout the model cannot serve") : null;
        Start(new MicroBatchOptions { MaxBatchSize = 2, MaxWait = TimeSpan.FromSeconds(1), PerStreamCapacity = 8 });
        int a0 = Send("a", 0), b0 = Send("b", 0), c0 = Send("c", 0), b1 = Send("b", 1);
        RunModel();
        Assert.Equal(["a0 c0"], _model.Batches.Select(Names));
        Assert.True(_acks.Single(a0).Contributed && _acks.Single(c0).Contributed);
        Assert.Equal("unserved-layout", _acks.ReasonOf(b0));
        Assert.Equal("unserved-layout", _acks.ReasonOf(b1));
        Assert.Equal("window 1 of b is in a layout the model cannot serve", _acks.Single(b1).Rejection!.Message);
        Assert.Equal(2, _metrics.Sum("streaming.pipeline.windows.dropped/unserved-layout"));
        Assert.Equal(2, _outputs.Count);
    }

    [Fact]
    public void InferInBatches_PartialBatch_GoesAfterMaxWait()
    {
        Start(new MicroBatchOptions { MaxBatchSize = 4, MaxWait = TimeSpan.FromMilliseconds(100) });
        Send("a", 0);
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(40));
        Send("b", 0);
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(59));
        RunModel();
        Assert.Empty(_model.Batches);
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(1)); // 100 ms after the first window
        RunModel();
        Assert.Equal(["a0 b0"], _model.Batches.Select(Names));
        Assert.Equal([100.0, 60.0], _outputs.Select(o => o.Prediction.LatencyMs));
        Assert.Equal("motion-test-1", _outputs[0].Prediction.ModelId);
    }

    [Fact]
    public void InferInBatches_DefaultNoWait_IdleModelTakesALoneWindowAtOnce()
    {
        var options = new MicroBatchOptions { MaxBatchSize = 4 };
        Assert.Equal(TimeSpan.Zero, options.MaxWait);
        Start(options);
        Send("a", 0);
        RunModel(); // the batcher's clock never moves: no timer held the window back
        Assert.Equal(["a0"], _model.Batches.Select(Names));
        Assert.Equal([0.0], _outputs.Select(o => o.Prediction.LatencyMs));
    }

    [Fact]
    public void InferInBatches_NoWait_WindowsArrivingWhileTheModelRunsGoTogetherNext()
    {
        Start(new MicroBatchOptions { MaxBatchSize = 3, MaxWait = TimeSpan.Zero });
        Send("a", 0); // the model is idle: a0 goes alone
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(2));
        foreach (var (s, i) in new[] { ("b", 0), ("c", 0), ("a", 1), ("d", 0) }) Send(s, i); // while a0 runs
        RunModel(); // a0, then as many of the waiting windows as a batch holds, oldest first, then the rest
        Assert.Equal(["a0", "b0 c0 a1", "d0"], _model.Batches.Select(Names));
        Assert.Equal([1, 3, 1], _metrics.BatchSizes);
        Assert.Equal(5, _outputs.Count);
        Assert.Equal(0, _metrics.Sum("streaming.pipeline.queue.depth"));
    }

    [Fact]
    public void InferInBatches_Completion_FlushesWithoutWaitingThenCompletes()
    {
        Start(new MicroBatchOptions { MaxBatchSize = 4, MaxWait = TimeSpan.FromSeconds(10) });
        Send("a", 0);
        _windows.OnCompleted();
        Assert.False(_completed);
        RunModel();
        Assert.Single(_outputs);
        Assert.True(_completed);
    }

    [Theory]
    [InlineData(BackpressurePolicy.DropOldest, "backpressure-drop-oldest", new long[] { 0, 3, 4 }, new[] { 1, 2 })]
    [InlineData(BackpressurePolicy.DropNewest, "backpressure-drop-newest", new long[] { 0, 1, 2 }, new[] { 3, 4 })]
    public void InferInBatches_SlowModel_DropsByPolicyAndCountsThem(BackpressurePolicy policy, string reason, long[] published, int[] dropped)
    {
        Start(new MicroBatchOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero, PerStreamCapacity = 2, Policy = policy });
        var acks = Enumerable.Range(0, 5).Select(i => Send("a", i)).ToArray(); // a0 goes to the model, a1 a2 fill the queue
        var other = Send("b", 0); // another stream has its own queue: not dropped
        Assert.Equal(3, _metrics.Sum("streaming.pipeline.queue.depth"));
        for (int i = 0; i < 4; i++) RunModel();
        Assert.Equal(published, _outputs.Where(o => o.Prediction.Stream == "a").Select(o => o.Prediction.WindowId));
        Assert.All(dropped, i => Assert.Equal(reason, _acks.ReasonOf(acks[i])));
        Assert.All(published, i => Assert.True(_acks.Single(acks[i]).Contributed));
        Assert.True(_acks.Single(other).Contributed);
        Assert.Equal(2, _metrics.Sum("streaming.pipeline.windows.dropped/" + reason));
        Assert.Equal(2, _metrics.Sum("streaming.pipeline.frames.rejected/" + reason));
        Assert.Equal(0, _metrics.Sum("streaming.pipeline.queue.depth"));
    }

    [Fact]
    public void InferInBatches_BlockPolicy_HoldsProducerUntilModelCatchesUp()
    {
        _model.Gate = new ManualResetEventSlim(false);
        using var modelThread = new EventLoopScheduler();
        var outputs = new List<long>();
        var done = new ManualResetEventSlim(false);
        _windows.InferInBatches(_model, new MicroBatchOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero, PerStreamCapacity = 2, Policy = BackpressurePolicy.Block },
                _clock, modelThread, _telemetry)
            .Subscribe(o => { lock (outputs) outputs.Add(o.Prediction.WindowId); o.Acknowledge(); }, done.Set);
        int sent = 0;
        var producer = new Thread(() =>
        {
            for (int i = 0; i < 6; i++) { Send("a", i); Interlocked.Increment(ref sent); }
            _windows.OnCompleted();
        });
        producer.Start();
        // a0 in the model, a1 a2 queued: the producer is stuck inside OnNext(a3).
        Assert.False(producer.Join(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(3, Volatile.Read(ref sent));
        _model.Gate.Set();
        Assert.True(producer.Join(TimeSpan.FromSeconds(10)));
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal([0L, 1, 2, 3, 4, 5], outputs);
        Assert.Equal(0, _metrics.Sum("streaming.pipeline.windows.dropped"));
        Assert.Empty(_acks.Reasons());
    }

    [Fact]
    public void InferInBatches_ModelThrows_BatchDroppedAsModelFailedAndStageGoesOn()
    {
        Start(new MicroBatchOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero });
        _model.Fail = true;
        var failed = Send("a", 0);
        RunModel();
        _model.Fail = false;
        var ok = Send("a", 1);
        RunModel();
        Assert.Equal("model-failed", _acks.ReasonOf(failed));
        Assert.Contains("motion model told to fail", _acks.Single(failed).Rejection!.Message);
        Assert.True(_acks.Single(ok).Contributed);
        Assert.Equal(1, _metrics.Sum("streaming.pipeline.windows.dropped/model-failed"));
    }

    [Fact]
    public void InferInBatches_OneModelCallPerBatch_GivesEachWindowItsRecognitionPastAndFuture()
    {
        Start(new MicroBatchOptions { MaxBatchSize = 2, MaxWait = TimeSpan.FromSeconds(1) });
        Send("a", 0);
        Send("b", 3);
        RunModel();
        Assert.Equal(["a0 b3"], _model.Batches.Select(Names));
        Assert.Equal(2, _outputs.Count);
        foreach (var output in _outputs)
        {
            var p = output.Prediction;
            Assert.Equal("moving", p.Recognized.Label);
            Assert.Equal(p.WindowEnd, Assert.Single(p.Past).End);
            Assert.Equal(p.WindowEnd, Assert.Single(p.Future).Start);
        }
        Assert.NotEqual(_outputs[0].Prediction.Past[0].End, _outputs[1].Prediction.Past[0].End);
    }

    [Fact]
    public void InferInBatches_ModelAnswersFewerWindows_BatchDroppedNamingTheModel()
    {
        Start(new MicroBatchOptions { MaxBatchSize = 2, MaxWait = TimeSpan.FromSeconds(1) });
        _model.Missing = 1;
        var acks = new[] { Send("a", 0), Send("b", 0) };
        RunModel();
        Assert.Empty(_outputs);
        Assert.All(acks, id => Assert.Equal("model-failed", _acks.ReasonOf(id)));
        Assert.Contains("model motion-test-1 returned 1 predictions for a batch of 2 windows", _acks.Single(acks[0]).Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InferInBatches_ArgumentChecking()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _windows.InferInBatches(_model, new MicroBatchOptions { MaxBatchSize = 0 }, _clock, _clock, _telemetry));
        Assert.Throws<ArgumentOutOfRangeException>(() => _windows.InferInBatches(_model, new MicroBatchOptions { PerStreamCapacity = 0 }, _clock, _clock, _telemetry));
        Assert.Throws<ArgumentOutOfRangeException>(() => _windows.InferInBatches(_model, new MicroBatchOptions { MaxWait = TimeSpan.FromSeconds(-1) }, _clock, _clock, _telemetry));
        Assert.Throws<ArgumentNullException>(() => _windows.InferInBatches(null!, new MicroBatchOptions(), _clock, _clock, _telemetry));
    }
}
