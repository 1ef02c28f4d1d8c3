using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Inference;

public static class ModelStageOperator
{
    /// <summary>
    /// The micro-batcher and model stage. Windows of all streams wait in bounded per-stream queues
    /// (<see cref="StreamQueues{T}"/>); while the model is idle, a batch goes as soon as
    /// <see cref="MicroBatchOptions.MaxBatchSize"/> windows wait or the oldest has waited
    /// <see cref="MicroBatchOptions.MaxWait"/> (timed on <paramref name="scheduler"/>; with no wait, at once). One batch
    /// runs at a time on <paramref name="modelScheduler"/>; the windows that arrive meanwhile make the next batch, and a
    /// full stream queue applies the <see cref="BackpressurePolicy"/>, every dropped window counted and logged.
    /// </summary>
    /// <remarks>
    /// On completion the remaining windows go without waiting and the sequence completes after the last
    /// batch. A model that throws fails only its batch: those windows are dropped as <c>model-failed</c>. A window the
    /// model refuses (<see cref="IActionModel.Refusal"/>) is dropped with the model's reason and never joins a batch.
    /// </remarks>
    public static IObservable<PendingOutput> InferInBatches(this IObservable<Observation> source, IActionModel model, MicroBatchOptions options,
        IScheduler scheduler, IScheduler modelScheduler, PipelineTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(modelScheduler);
        ArgumentNullException.ThrowIfNull(telemetry);
        options.Validate();
        return Observable.Create<PendingOutput>(observer =>
        {
            var stage = new ModelStage(observer, model, options, scheduler, modelScheduler, telemetry);
            var subscription = source.Subscribe(stage.OnNext, stage.OnError, stage.OnCompleted);
            return new CompositeDisposable(subscription, stage);
        });
    }
}
