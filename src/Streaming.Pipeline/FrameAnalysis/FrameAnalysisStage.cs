using System.Diagnostics;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.FrameAnalysis;

/// <summary>
/// The per-subscription state of <see cref="FrameAnalysisOperator.AnalyzeInBatches"/>: one gate over the per-stream frame
/// queues, the busy flag and the observer (as <see cref="Inference.ModelStageOperator"/>'s stage keeps them), one pending
/// max-wait timer.
/// </summary>
sealed class FrameAnalysisStage(IObserver<Acked<SkeletonFrame>> observer, IFrameAnalyzer analyzer, MicroBatchOptions options,
    IScheduler scheduler, IScheduler analyzerScheduler, PipelineTelemetry telemetry) : IDisposable
{
    // A plain object, not System.Threading.Lock: the Block policy waits on it with Monitor.Wait.
    readonly object _gate = new();
    readonly StreamQueues<Acked<VideoFrame>> _queues = new(options.PerStreamCapacity, frame => frame.Value.Stream);
    readonly SerialDisposable _timer = new();
    DateTimeOffset? _timerDue;
    bool _busy, _completed, _done;

    public void OnNext(Acked<VideoFrame> frame)
    {
        lock (_gate)
        {
            if (_done) return;
            var stream = frame.Value.Stream;
            if (_queues.IsFull(stream))
            {
                switch (options.Policy)
                {
                    case BackpressurePolicy.Block:
                        while (_queues.IsFull(stream) && !_done) Monitor.Wait(_gate);
                        if (_done) return;
                        break;
                    case BackpressurePolicy.DropOldest:
                        var oldest = _queues.DequeueOldest(stream);
                        telemetry.FramesInAnalysisChanged(-1);
                        Drop(oldest, RejectionReason.BackpressureDropOldest, "its stream's queue was full and a newer frame arrived");
                        break;
                    case BackpressurePolicy.DropNewest:
                        Drop(frame, RejectionReason.BackpressureDropNewest, "its stream's queue was full");
                        return;
                }
            }
            _queues.Enqueue(frame, scheduler.Now);
            telemetry.FramesInAnalysisChanged(1);
            TryDispatch();
        }
    }

    public void OnError(Exception error)
    {
        lock (_gate)
        {
            if (_done) return;
            _done = true;
            Monitor.PulseAll(_gate);
            observer.OnError(error);
        }
    }

    public void OnCompleted()
    {
        lock (_gate)
        {
            if (_done) return;
            _completed = true;
            TryDispatch();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _done = true;
            Monitor.PulseAll(_gate);
        }
        _timer.Dispose();
    }

    void Drop(Acked<VideoFrame> frame, RejectionReason reason, string why) =>
        Reject(frame, new Rejection(reason,
            $"stream {frame.Value.Stream} frame seq {frame.Value.Sequence} dropped ({options.Policy}, capacity {options.PerStreamCapacity}): {why}; the pose model could not keep up."));

    void Reject(Acked<VideoFrame> frame, Rejection rejection)
    {
        telemetry.InputRejected(frame.Value.Stream, rejection);
        frame.Ack.Reject(rejection);
    }

    /// <summary>Under the gate: sends a batch if the analyzer is idle and one is due, else arms the max-wait timer.</summary>
    void TryDispatch()
    {
        if (_busy || _done) return;
        if (_queues.Count == 0)
        {
            if (_completed) { _done = true; observer.OnCompleted(); }
            return;
        }
        var due = _queues.OldestEnqueuedAt!.Value + options.MaxWait;
        if (_queues.Count < options.MaxBatchSize && !_completed && scheduler.Now < due)
        {
            if (_timerDue != due)
            {
                _timerDue = due;
                _timer.Disposable = scheduler.Schedule(due, () => { lock (_gate) { _timerDue = null; TryDispatch(); } });
            }
            return;
        }
        var batch = _queues.TakeBatch(options.MaxBatchSize);
        _busy = true;
        Monitor.PulseAll(_gate);
        analyzerScheduler.Schedule(() => Run(batch));
    }

    /// <summary>On the analyzer's scheduler, outside the gate: decoding and the pose model take long.</summary>
    void Run(List<Acked<VideoFrame>> batch)
    {
        IReadOnlyList<Parsed<SkeletonFrame>>? results = null;
        Exception? failure = null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            results = analyzer.Analyze(batch.ConvertAll(frame => frame.Value));
            if (results.Count != batch.Count)
                throw new InvalidOperationException($"frame analyzer {analyzer.Id} returned {results.Count} results for a batch of {batch.Count} frames.");
            telemetry.ModelRan(analyzer.Id, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = e;
            results = null;
        }
        lock (_gate)
        {
            _busy = false;
            telemetry.FramesInAnalysisChanged(-batch.Count);
            if (_done) return;
            if (results is null)
                PipelineLog.AnalyzerFailed(telemetry.Logger, failure!, analyzer.Id, batch.Count);
            for (int i = 0; i < batch.Count; i++)
            {
                var frame = batch[i];
                if (results is null)
                    Reject(frame, new Rejection(RejectionReason.PoseFailed,
                        $"frame analyzer {analyzer.Id} failed on the batch holding stream {frame.Value.Stream} frame seq {frame.Value.Sequence}: {failure!.Message}"));
                else if (results[i].IsValid)
                    observer.OnNext(new Acked<SkeletonFrame>(results[i].Value!, frame.Ack, frame.Trace));
                else
                    Reject(frame, results[i].Rejection!);
            }
            TryDispatch();
        }
    }
}
