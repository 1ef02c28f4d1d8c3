using System.Diagnostics;
using System.Reactive.Concurrency;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

/// <summary>The per-subscription state of <see cref="ModelStageOperator.InferInBatches"/>: windows micro-batched into one model call.</summary>
sealed class ModelStage(IObserver<PendingOutput> observer, IActionModel model, MicroBatchOptions options,
    IScheduler scheduler, IScheduler modelScheduler, PipelineTelemetry telemetry)
    : MicroBatchStage<Observation, PendingOutput>(observer, options, scheduler, modelScheduler, window => window.Stream)
{
    protected override string Noun => "window";

    protected override Rejection? Refusal(Observation window) => model.Refusal(window);

    protected override void Drop(Observation window, Rejection rejection) => new WindowSettlement(window, telemetry, Scheduler).Drop(rejection);

    protected override string Dropped(Observation window, string why) =>
        $"stream {window.Stream} window {window.WindowId} dropped ({Options.Policy}, capacity {Options.PerStreamCapacity}): {why}; the model could not keep up.";

    protected override void Queued(int delta) => telemetry.QueueDepthChanged(delta);

    protected override void Dispatched(int size)
    {
        telemetry.QueueDepthChanged(-size);
        telemetry.BatchFormed(size);
    }

    protected override Action Compute(List<Observation> batch, DateTimeOffset dispatched)
    {
        var span = PipelineTelemetry.StartInferenceSpan(model.Id, batch);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var outputs = Predict(batch, dispatched);
            telemetry.ModelRan(model.Id, Stopwatch.GetElapsedTime(started));
            PipelineTelemetry.EndInferenceSpan(span, null);
            return () =>
            {
                foreach (var output in outputs) Observer.OnNext(output);
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            PipelineTelemetry.EndInferenceSpan(span, e);
            throw;
        }
    }

    protected override void Fail(List<Observation> batch, Exception failure)
    {
        PipelineLog.ModelFailed(telemetry.Logger, failure, model.Id, batch.Count);
        foreach (var window in batch)
            Drop(window, new Rejection(RejectionReason.ModelFailed,
                $"model {model.Id} failed on the batch holding stream {window.Stream} window {window.WindowId}: {failure.Message}"));
    }

    List<PendingOutput> Predict(List<Observation> batch, DateTimeOffset dispatched)
    {
        var predictions = model.Predict(batch);
        if (predictions.Count != batch.Count)
            throw new InvalidOperationException($"model {model.Id} returned {predictions.Count} predictions for a batch of {batch.Count} windows.");
        var now = Scheduler.Now;
        var outputs = new List<PendingOutput>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            var (w, p) = (batch[i], predictions[i]);
            var prediction = new ActionPrediction(w.Stream, w.WindowId, w.Start, w.End, p.Recognized, p.Past, p.Future, model.Id, (now - w.FormedAt).TotalMilliseconds)
            {
                LastFrame = w.Frames.Count > 0 ? FrameKeypoints.Of(w.Frames[^1]) : null,
            };
            outputs.Add(new PendingOutput(prediction, new WindowSettlement(w, telemetry, Scheduler, new BatchTimes(dispatched, now))));
        }
        return outputs;
    }
}
