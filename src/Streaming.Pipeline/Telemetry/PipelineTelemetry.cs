using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Telemetry;

/// <summary>
/// The pipeline's metrics (Meter "Streaming.Pipeline"), spans (ActivitySource "Streaming.Pipeline") and
/// logs. One instance per pipeline, so that a test's MeterListener can tell its pipeline's instruments
/// apart from those of another pipeline running beside it.
/// </summary>
/// <remarks>
/// Spans: <see cref="WindowSpanName"/> from a window's formation to its publication or drop, a child of its last
/// frame's span with links to its frames' spans; <see cref="InferenceSpanName"/> around each model batch, a root with
/// links to the batch's windows. Both are detached from <see cref="Activity.Current"/>: a window span lives across
/// threads, and neither may become the ambient parent of unrelated work.
/// </remarks>
public sealed class PipelineTelemetry : IDisposable
{
    public const string Name = "Streaming.Pipeline";

    public const string WindowSpanName = "window";
    public const string InferenceSpanName = "inference";

    /// <summary>Links per span at most; a longer window links to this many of its frames, evenly spaced, first and last included.</summary>
    public const int MaxLinks = 32;

    public const string FramesName = "streaming.pipeline.frames";
    public const string WindowsName = "streaming.pipeline.windows";
    public const string RejectedName = "streaming.pipeline.frames.rejected";
    public const string WindowsDroppedName = "streaming.pipeline.windows.dropped";
    public const string WindowsInFlightName = "streaming.pipeline.windows.in_flight";
    public const string BatchSizeName = "streaming.pipeline.batch.size";
    public const string QueueDepthName = "streaming.pipeline.queue.depth";
    public const string ModelLatencyName = "streaming.pipeline.model.latency";
    public const string EndToEndLatencyName = "streaming.pipeline.end_to_end.latency";
    public const string StageLatencyName = "streaming.pipeline.stage.latency";
    public const string FramesInAnalysisName = "streaming.pipeline.frames.in_analysis";

    static readonly ActivitySource Spans = new(Name);

    readonly Counter<long> _frames;
    readonly Counter<long> _windows;
    readonly Counter<long> _rejected;
    readonly Counter<long> _windowsDropped;
    readonly Histogram<int> _batchSize;
    readonly UpDownCounter<long> _queueDepth;
    readonly Histogram<double> _modelLatency;
    readonly Histogram<double> _endToEndLatency;
    readonly Histogram<double> _stageLatency;
    long _windowsInFlight;
    long _framesInAnalysis;

    public PipelineTelemetry(ILogger? logger = null)
    {
        Logger = logger ?? NullLogger.Instance;
        Meter = new Meter(Name);
        _frames = Meter.CreateCounter<long>(FramesName, "{frame}", "Frames accepted into a stream's window builder.");
        _windows = Meter.CreateCounter<long>(WindowsName, "{window}", "Observation windows formed.");
        _rejected = Meter.CreateCounter<long>(RejectedName, "{frame}", "Inputs dead-lettered, tagged by reason (backpressure drops included).");
        _windowsDropped = Meter.CreateCounter<long>(WindowsDroppedName, "{window}", "Windows dropped by the backpressure policy, tagged by reason.");
        _batchSize = Meter.CreateHistogram<int>(BatchSizeName, "{window}", "Windows per model batch.");
        _queueDepth = Meter.CreateUpDownCounter<long>(QueueDepthName, "{window}", "Windows waiting in front of the model stage.");
        _modelLatency = Meter.CreateHistogram<double>(ModelLatencyName, "ms", "Wall time of one model batch (recognize, segment, anticipate), tagged by model; batch sizes are in " + BatchSizeName + ".");
        _endToEndLatency = Meter.CreateHistogram<double>(EndToEndLatencyName, "ms",
            "From the capture time of a window's newest frame to the sink's acknowledgement of its prediction, on the pipeline's clock (clock skew that would make it negative counts as 0).");
        _stageLatency = Meter.CreateHistogram<double>(StageLatencyName, "ms",
            "Where the end-to-end latency of a published window goes, tagged stage: ingest, window, batch, model, publish (in that order; they add up to " + EndToEndLatencyName + ").");
        Meter.CreateObservableGauge(WindowsInFlightName, () => WindowsInFlight, "{window}", "Windows formed and not yet published or dropped.");
        Meter.CreateObservableGauge(FramesInAnalysisName, () => FramesInAnalysis, "{frame}", "Camera frames waiting for or in the pose model (frame input).");
    }

    /// <summary>Windows formed and not yet settled (published or dropped): zero once a paused input has drained.</summary>
    public long WindowsInFlight => Interlocked.Read(ref _windowsInFlight);

    /// <summary>Camera frames taken by the frame-analysis stage and not yet handed on as skeletons or rejected: zero once a paused input has drained.</summary>
    public long FramesInAnalysis => Interlocked.Read(ref _framesInAnalysis);

    public Meter Meter { get; }

    public ILogger Logger { get; }

    internal void FrameAccepted() => _frames.Add(1);

    internal void WindowFormed()
    {
        _windows.Add(1);
        Interlocked.Increment(ref _windowsInFlight);
    }

    internal void FramesInAnalysisChanged(int delta) => Interlocked.Add(ref _framesInAnalysis, delta);

    internal void BatchFormed(int size) => _batchSize.Record(size);

    internal void QueueDepthChanged(int delta) => _queueDepth.Add(delta);

    internal void ModelRan(string model, TimeSpan elapsed) =>
        _modelLatency.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("model", model));

    /// <summary>
    /// Records the end-to-end latency of a window whose prediction the sink acknowledged at <paramref name="acknowledged"/>,
    /// and its stages (<see cref="LatencyStages"/>) where <paramref name="batch"/> says when the model ran it.
    /// </summary>
    internal void OutputAcknowledged(Observation window, BatchTimes? batch, DateTimeOffset acknowledged)
    {
        _endToEndLatency.Record(Milliseconds(acknowledged - window.LastCaptureTime));
        var received = window.LastReceivedAt ?? window.FormedAt;
        RecordStage(LatencyStages.Ingest, received - window.LastCaptureTime);
        RecordStage(LatencyStages.Window, window.FormedAt - received);
        if (batch is not { } b) return;
        RecordStage(LatencyStages.Batch, b.Dispatched - window.FormedAt);
        RecordStage(LatencyStages.Model, b.Predicted - b.Dispatched);
        RecordStage(LatencyStages.Publish, acknowledged - b.Predicted);
    }

    void RecordStage(string stage, TimeSpan elapsed) => _stageLatency.Record(Milliseconds(elapsed), new KeyValuePair<string, object?>("stage", stage));

    /// <summary>Capture times come from the sources' clocks: skew that would make a latency negative counts as 0.</summary>
    static double Milliseconds(TimeSpan elapsed) => Math.Max(0, elapsed.TotalMilliseconds);

    /// <summary>Counts and logs a rejected input; the stage that rejects it settles its token.</summary>
    internal void InputRejected(string stream, Rejection rejection)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));
        PipelineLog.InputRejected(Logger, stream, rejection.Code, rejection.Message);
    }

    /// <summary>Counts and logs a window dropped by backpressure; its frames are counted when their tokens settle as rejected.</summary>
    internal void WindowDropped(string stream, long windowId, Rejection rejection)
    {
        _windowsDropped.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));
        PipelineLog.WindowDropped(Logger, stream, windowId, rejection.Code, rejection.Message);
    }

    /// <summary>A window was published or dropped and its frames' tokens released (their dead-letter writes, if any, begun).</summary>
    internal void WindowSettled() => Interlocked.Decrement(ref _windowsInFlight);

    /// <summary>Counts a frame settled as rejected by a later stage (every window holding it was dropped).</summary>
    internal void FrameDropped(Rejection rejection) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));

    /// <summary>
    /// Opens the span of a window formed at <paramref name="formed"/> (the pipeline's clock) from the trace contexts of
    /// its frames, oldest first: the newest frame's is the parent, and up to <see cref="MaxLinks"/> are linked.
    /// </summary>
    internal static Activity? StartWindowSpan(string stream, long windowId, IReadOnlyList<ActivityContext> frames, DateTimeOffset formed) =>
        StartDetached(() => Spans.StartActivity(WindowSpanName, ActivityKind.Producer, frames[^1],
            [new("stream", stream), new("window.id", windowId), new("window.frames", frames.Count)], Links(frames), formed));

    /// <summary>Closes a window's span at <paramref name="settled"/> (the pipeline's clock) with its outcome: <c>published</c> or the drop reason.</summary>
    internal static void EndWindowSpan(Activity? span, DateTimeOffset settled, string outcome)
    {
        if (span is null) return;
        span.SetTag("outcome", outcome);
        span.SetEndTime(settled.UtcDateTime);
        StopDetached(span);
    }

    /// <summary>Opens the span of one model batch, linked to the spans of its windows.</summary>
    internal static Activity? StartInferenceSpan(string model, IReadOnlyList<Observation> batch) =>
        StartDetached(() => Spans.StartActivity(InferenceSpanName, ActivityKind.Internal, default(ActivityContext),
            [new("model", model), new("batch.size", batch.Count)], Links(batch.Select(w => w.Span?.Context ?? default).ToList())));

    internal static void EndInferenceSpan(Activity? span, Exception? failure)
    {
        if (span is null) return;
        if (failure is not null) span.SetStatus(ActivityStatusCode.Error, failure.Message);
        StopDetached(span);
    }

    /// <summary>Links to the traced contexts among <paramref name="contexts"/>, at most <see cref="MaxLinks"/>, evenly spaced with the first and last.</summary>
    static List<ActivityLink> Links(IReadOnlyList<ActivityContext> contexts)
    {
        var traced = contexts.Where(c => c != default).ToList();
        int n = Math.Min(traced.Count, MaxLinks);
        var links = new List<ActivityLink>(n);
        for (int i = 0; i < n; i++) links.Add(new ActivityLink(traced[n == 1 ? 0 : (int)((long)i * (traced.Count - 1) / (n - 1))]));
        return links;
    }

    /// <summary>Starts a span with no ambient parent and leaves <see cref="Activity.Current"/> as it was.</summary>
    static Activity? StartDetached(Func<Activity?> start)
    {
        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            return start();
        }
        finally
        {
            Activity.Current = current;
        }
    }

    /// <summary>Stops a span on any thread: <see cref="Activity.Stop"/> would make the span's predecessor this thread's current one.</summary>
    static void StopDetached(Activity span)
    {
        var current = Activity.Current;
        span.Stop();
        Activity.Current = current;
    }

    public void Dispose() => Meter.Dispose();
}
