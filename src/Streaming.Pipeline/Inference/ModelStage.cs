using System.Diagnostics;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>
/// The per-subscription state of <see cref="ModelStageOperator.InferInBatches"/>: one gate over the
/// queues, the busy flag and the observer (as Rx's Throttle keeps one gate), one pending max-wait timer.
/// </summary>
sealed class ModelStage(IObserver<PendingOutput> observer, IActionModel model, MicroBatchOptions options,
    IScheduler scheduler, IScheduler modelScheduler, PipelineTelemetry telemetry) : IDisposable
{
    // A plain object, not System.Threading.Lock: the Block policy waits on it with Monitor.Wait.
    readonly object _gate = new();
    readonly StreamQueues<Observation> _queues = new(options.PerStreamCapacity, window => window.Stream);
    readonly SerialDisposable _timer = new();
    DateTimeOffset? _timerDue;
    bool _busy, _completed, _done;

    public void OnNext(Observation window)
    {
        lock (_gate)
        {
            if (_done) return;
            var refusal = model.Refusal(window);
            if (refusal is not null)
            {
                new WindowSettlement(window, telemetry, scheduler).Drop(refusal);
                return;
            }
            if (_queues.IsFull(window.Stream))
            {
                switch (options.Policy)
                {
                    case BackpressurePolicy.Block:
                        while (_queues.IsFull(window.Stream) && !_done) Monitor.Wait(_gate);
                        if (_done) return;
                        break;
                    case BackpressurePolicy.DropOldest:
                        var oldest = _queues.DequeueOldest(window.Stream);
                        telemetry.QueueDepthChanged(-1);
                        Drop(oldest, RejectionReason.BackpressureDropOldest, "its stream's queue was full and a newer window arrived");
                        break;
                    case BackpressurePolicy.DropNewest:
                        Drop(window, RejectionReason.BackpressureDropNewest, "its stream's queue was full");
                        return;
                }
            }
            _queues.Enqueue(window, scheduler.Now);
            telemetry.QueueDepthChanged(1);
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

    void Drop(Observation window, RejectionReason reason, string why) =>
        new WindowSettlement(window, telemetry, scheduler).Drop(new Rejection(reason,
            $"stream {window.Stream} window {window.WindowId} dropped ({options.Policy}, capacity {options.PerStreamCapacity}): {why}; the model could not keep up."));

    /// <summary>Under the gate: sends a batch if the model is idle and one is due, else arms the max-wait timer.</summary>
    void TryDispatch()
    {
        if (_busy || _done) return;
        if (_queues.Count == 0)
        {
            if (_completed) { _done = true; observer.OnCompleted(); }
            return;
        }
        var now = scheduler.Now;
        var due = _queues.OldestEnqueuedAt!.Value + options.MaxWait;
        if (_queues.Count < options.MaxBatchSize && !_completed && now < due)
        {
            if (_timerDue != due)
            {
                _timerDue = due;
                _timer.Disposable = scheduler.Schedule(due, () => { lock (_gate) { _timerDue = null; TryDispatch(); } });
            }
            return;
        }
        var batch = _queues.TakeBatch(options.MaxBatchSize);
        telemetry.QueueDepthChanged(-batch.Count);
        telemetry.BatchFormed(batch.Count);
        _busy = true;
        Monitor.PulseAll(_gate);
        modelScheduler.Schedule(() => Run(batch, now));
    }

    /// <summary>On the model scheduler, outside the gate: the model may take long.</summary>
    void Run(List<Observation> batch, DateTimeOffset dispatched)
    {
        List<PendingOutput>? outputs = null;
        Exception? failure = null;
        var span = PipelineTelemetry.StartInferenceSpan(model.Id, batch);
        var started = Stopwatch.GetTimestamp();
        try
        {
            outputs = Predict(batch, dispatched);
            telemetry.ModelRan(model.Id, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = e;
        }
        PipelineTelemetry.EndInferenceSpan(span, failure);
        lock (_gate)
        {
            _busy = false;
            if (_done) return;
            if (outputs is not null)
                foreach (var output in outputs) observer.OnNext(output);
            else
            {
                PipelineLog.ModelFailed(telemetry.Logger, failure!, model.Id, batch.Count);
                foreach (var window in batch)
                    new WindowSettlement(window, telemetry, scheduler).Drop(new Rejection(RejectionReason.ModelFailed,
                        $"model {model.Id} failed on the batch holding stream {window.Stream} window {window.WindowId}: {failure!.Message}"));
            }
            TryDispatch();
        }
    }

    List<PendingOutput> Predict(List<Observation> batch, DateTimeOffset dispatched)
    {
        var predictions = model.Predict(batch);
        if (predictions.Count != batch.Count)
            throw new InvalidOperationException($"model {model.Id} returned {predictions.Count} predictions for a batch of {batch.Count} windows.");
        var now = scheduler.Now;
        var outputs = new List<PendingOutput>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            var (w, p) = (batch[i], predictions[i]);
            var prediction = new ActionPrediction(w.Stream, w.WindowId, w.Start, w.End, p.Recognized, p.Past, p.Future, model.Id, (now - w.FormedAt).TotalMilliseconds)
            {
                LastFrame = w.Frames.Count > 0 ? FrameKeypoints.Of(w.Frames[^1]) : null,
            };
            outputs.Add(new PendingOutput(prediction, new WindowSettlement(w, telemetry, scheduler, new BatchTimes(dispatched, now))));
        }
        return outputs;
    }
}
