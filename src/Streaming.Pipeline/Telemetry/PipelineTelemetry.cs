using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Telemetry;

/// <summary>
/// The pipeline's metrics (Meter "Streaming.Pipeline"), spans (ActivitySource "Streaming.Pipeline") and
/// logs. One instance per pipeline, so that a test's MeterListener can tell its pipeline's instruments
/// apart from those of another pipeline running beside it.
/// </summary>
public sealed class PipelineTelemetry : IDisposable
{
    public const string Name = "Streaming.Pipeline";

    static readonly ActivitySource Spans = new(Name);

    readonly Counter<long> _frames;
    readonly Counter<long> _windows;
    readonly Counter<long> _rejected;
    readonly Counter<long> _windowsDropped;
    readonly Histogram<int> _batchSize;
    readonly UpDownCounter<long> _queueDepth;

    public PipelineTelemetry(ILogger? logger = null)
    {
        Logger = logger ?? NullLogger.Instance;
        Meter = new Meter(Name);
        _frames = Meter.CreateCounter<long>("streaming.pipeline.frames", "{frame}", "Frames accepted into a stream's window builder.");
        _windows = Meter.CreateCounter<long>("streaming.pipeline.windows", "{window}", "Observation windows formed.");
        _rejected = Meter.CreateCounter<long>("streaming.pipeline.frames.rejected", "{frame}", "Inputs dead-lettered, tagged by reason (backpressure drops included).");
        _windowsDropped = Meter.CreateCounter<long>("streaming.pipeline.windows.dropped", "{window}", "Windows dropped by the backpressure policy, tagged by reason.");
        _batchSize = Meter.CreateHistogram<int>("streaming.pipeline.batch.size", "{window}", "Windows per model batch.");
        _queueDepth = Meter.CreateUpDownCounter<long>("streaming.pipeline.queue.depth", "{window}", "Windows waiting in front of the model stage.");
    }

    public Meter Meter { get; }

    public ILogger Logger { get; }

    internal void FrameAccepted() => _frames.Add(1);

    internal void WindowFormed() => _windows.Add(1);

    internal void BatchFormed(int size) => _batchSize.Record(size);

    internal void QueueDepthChanged(int delta) => _queueDepth.Add(delta);

    /// <summary>Counts, logs and settles a rejected input.</summary>
    internal void Reject(string stream, AckToken ack, Rejection rejection)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));
        PipelineLog.InputRejected(Logger, stream, rejection.Code, rejection.Message);
        ack.Reject(rejection);
    }

    /// <summary>Counts and logs a window dropped by backpressure; its frames are counted when their tokens settle as rejected.</summary>
    internal void WindowDropped(string stream, long windowId, Rejection rejection)
    {
        _windowsDropped.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));
        PipelineLog.WindowDropped(Logger, stream, windowId, rejection.Code, rejection.Message);
    }

    /// <summary>Counts a frame settled as rejected by a later stage (every window holding it was dropped).</summary>
    internal void FrameDropped(Rejection rejection) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Code));

    /// <summary>Records the span of one window from formation to publication (or drop), with times from the pipeline's scheduler.</summary>
    internal void WindowSpan(string stream, long windowId, int frames, DateTimeOffset formed, DateTimeOffset settled, string outcome)
    {
        using var activity = Spans.StartActivity("window", ActivityKind.Internal, parentContext: default,
            tags: [new("stream", stream), new("window.id", windowId), new("window.frames", frames), new("outcome", outcome)],
            startTime: formed);
        activity?.SetEndTime(settled.UtcDateTime);
    }

    public void Dispose() => Meter.Dispose();
}
