using System.Diagnostics;
using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Telemetry;

/// <summary>
/// The pipeline's spans and latency histograms as an in-box ActivityListener and MeterListener see them, on the real
/// operators in virtual time. Each input carries the context of its (upstream) processing span, as the Kafka edge gives it.
/// </summary>
public sealed class PipelineTelemetryTests : IDisposable
{
    /// <summary>The pipeline's clock stands 10 s after the first capture, so end-to-end latencies are known exactly.</summary>
    static readonly DateTimeOffset Now = SkeletonFrames.T0 + TimeSpan.FromSeconds(10);

    readonly HistoricalScheduler _clock = new(Now);
    readonly HistoricalScheduler _modelClock = new(SkeletonFrames.T0);
    readonly Subject<InputMessage> _input = new();
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();
    readonly MetricsRecorder _metrics;
    readonly SpanRecorder _spans = new(PipelineTelemetry.Name);
    readonly List<ActionPrediction> _published = [];
    readonly string _stream = "traced-" + Guid.NewGuid().ToString("N")[..8];
    readonly MotionModel _model = new();

    public PipelineTelemetryTests() => _metrics = new MetricsRecorder(_telemetry);

    void Start(WindowOptions window, int maxBatch) =>
        _input.Predict(_model, new SkeletonPipelineOptions
        {
            // Frames arrive in order: no reorder buffer holds them back.
            Window = window with { ReorderBound = 0 },
            Batching = new MicroBatchOptions { MaxBatchSize = maxBatch, MaxWait = TimeSpan.FromMilliseconds(50), PerStreamCapacity = 64 },
        }, _clock, _modelClock, _telemetry).SinkTo(_published.Add).Subscribe();

    /// <summary>Sends frames 0..count-1 of the test's stream, each with a fresh remote context of its own trace; returns the contexts.</summary>
    List<ActivityContext> Send(int count)
    {
        var contexts = new List<ActivityContext>();
        for (int seq = 0; seq < count; seq++)
        {
            var context = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
            var frame = SkeletonFrames.At30Fps(_stream, seq);
            _input.OnNext(new InputMessage(_stream, SkeletonFrameJson.Serialize(frame), _acks.NewToken(), context));
            contexts.Add(context);
        }
        return contexts;
    }

    [Fact]
    public void Window_ChildOfItsLastFrame_LinksItsFrames_BatchSpanLinksWindows()
    {
        Start(WindowOptions.ByFrames(4, 2), maxBatch: 2);
        var frames = Send(6);
        _modelClock.AdvanceBy(TimeSpan.FromTicks(1));
        Assert.Equal(2, _published.Count);

        var windows = _spans.Named(PipelineTelemetry.WindowSpanName, "stream", _stream).OrderBy(w => (long)w.GetTagItem("window.id")!).ToList();
        Assert.Equal(2, windows.Count);
        for (int k = 0; k < 2; k++)
        {
            var window = windows[k];
            var last = frames[2 * k + 3];
            Assert.Equal(ActivityKind.Producer, window.Kind);
            Assert.Equal(last.TraceId, window.TraceId);
            Assert.Equal(last.SpanId, window.ParentSpanId);
            Assert.Equal(frames.Skip(2 * k).Take(4), window.Links.Select(l => l.Context));
            Assert.Equal("published", window.GetTagItem("outcome"));
            Assert.Equal(Now.UtcDateTime, window.StartTimeUtc);
        }

        var batch = Assert.Single(_spans.Stopped, s => s.OperationName == PipelineTelemetry.InferenceSpanName && s.Links.Any(l => l.Context == windows[0].Context));
        Assert.Equal(windows.Select(w => w.Context), batch.Links.Select(l => l.Context));
        Assert.Equal(default, batch.ParentSpanId);
        Assert.Equal(2, batch.GetTagItem("batch.size"));
        Assert.Equal(_model.Id, batch.GetTagItem("model"));
        // The spans live across threads and calls: none may stay behind as the ambient parent.
        Assert.Null(Activity.Current);
    }

    [Fact]
    public void Latencies_ModelPerBatch_EndToEndFromNewestCaptureToAcknowledgement()
    {
        Start(WindowOptions.ByFrames(4, 2), maxBatch: 2);
        Send(6);
        _modelClock.AdvanceBy(TimeSpan.FromTicks(1));

        var model = Assert.Single(_metrics.Values(PipelineTelemetry.ModelLatencyName));
        Assert.InRange(model.Value, 1e-6, 10_000);
        Assert.Equal(_model.Id, model.Tags["model"]);
        Assert.Equal([2], _metrics.BatchSizes);
        // Windows end at seq 3 and 5 (captured 100 ms and 166.7 ms after T0, to the tick); the sink acknowledges at T0 + 10 s.
        var endToEnd = _metrics.Values(PipelineTelemetry.EndToEndLatencyName).Select(v => v.Value).ToList();
        Assert.Equal(2, endToEnd.Count);
        Assert.Equal(10_000 - 100.0, endToEnd[0], 3);
        Assert.Equal(10_000 - 500 / 3.0, endToEnd[1], 3);
    }

    [Fact]
    public void Latencies_Stages_SplitEndToEndWhereTheWindowWaited()
    {
        var outputs = new List<PendingOutput>();
        _input.Predict(_model, new SkeletonPipelineOptions
        {
            Window = WindowOptions.ByFrames(4, 4) with { ReorderBound = 2 },
            Batching = new MicroBatchOptions { MaxBatchSize = 8, MaxWait = TimeSpan.FromMilliseconds(50), PerStreamCapacity = 64 },
        }, _clock, _modelClock, _telemetry).Subscribe(outputs.Add);
        void SendFrame(int seq) => _input.OnNext(SkeletonFrames.Message(SkeletonFrames.At30Fps(_stream, seq), _acks, out _));

        // The newest frame, 3 (captured 100 ms after T0), arrives at T0 + 10 s, before frame 2: the reorder buffer holds it.
        foreach (var seq in new[] { 0, 1, 3 }) SendFrame(seq);
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(10));
        SendFrame(2); // the window forms
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(50)); // a batch of one goes after the max wait
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(5));
        _modelClock.AdvanceBy(TimeSpan.FromTicks(1)); // the model thread gets to it 5 ms later
        _clock.AdvanceBy(TimeSpan.FromMilliseconds(3));
        Assert.Single(outputs).Acknowledge(); // the sink acknowledges 3 ms after the predictions

        var stages = _metrics.Values(PipelineTelemetry.StageLatencyName).ToDictionary(v => (string)v.Tags["stage"]!, v => v.Value);
        Assert.Equal(LatencyStages.All, stages.Keys);
        Assert.Equal(10_000 - 100.0, stages[LatencyStages.Ingest], 3);
        Assert.Equal(10.0, stages[LatencyStages.Window], 3);
        Assert.Equal(50.0, stages[LatencyStages.Batch], 3);
        Assert.Equal(5.0, stages[LatencyStages.Model], 3);
        Assert.Equal(3.0, stages[LatencyStages.Publish], 3);
        var endToEnd = Assert.Single(_metrics.Values(PipelineTelemetry.EndToEndLatencyName)).Value;
        Assert.Equal(endToEnd, stages.Values.Sum(), 3);
    }

    [Fact]
    public void Window_MoreFramesThanMaxLinks_LinksEvenlySpacedFramesWithFirstAndLast()
    {
        const int length = 40;
        Start(WindowOptions.ByFrames(length, length), maxBatch: 1);
        var frames = Send(length);
        _modelClock.AdvanceBy(TimeSpan.FromTicks(1));

        var window = Assert.Single(_spans.Named(PipelineTelemetry.WindowSpanName, "stream", _stream));
        var linked = window.Links.Select(l => frames.IndexOf(l.Context)).ToList();
        Assert.Equal(PipelineTelemetry.MaxLinks, linked.Count);
        Assert.Equal(Enumerable.Range(0, PipelineTelemetry.MaxLinks).Select(i => i * (length - 1) / (PipelineTelemetry.MaxLinks - 1)), linked);
        Assert.Equal(0, linked[0]);
        Assert.Equal(length - 1, linked[^1]);
        Assert.Equal(length, window.GetTagItem("window.frames"));
    }

    [Fact]
    public void Window_UntracedFrames_RootSpanWithoutLinks()
    {
        Start(WindowOptions.ByFrames(4, 4), maxBatch: 1);
        for (int seq = 0; seq < 4; seq++)
            _input.OnNext(SkeletonFrames.Message(SkeletonFrames.At30Fps(_stream, seq), _acks, out _));
        _modelClock.AdvanceBy(TimeSpan.FromTicks(1));

        var window = Assert.Single(_spans.Named(PipelineTelemetry.WindowSpanName, "stream", _stream));
        Assert.Equal(default, window.ParentSpanId);
        Assert.Empty(window.Links);
        Assert.Single(_published);
    }

    public void Dispose()
    {
        _spans.Dispose();
        _metrics.Dispose();
        _telemetry.Dispose();
    }
}
