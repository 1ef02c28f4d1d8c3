using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Pipeline.FrameAnalysis;

public static class FrameAnalysisOperator
{
    /// <summary>
    /// The micro-batcher in front of the pose model: camera frames of all streams wait in bounded per-stream queues; while
    /// the analyzer is idle, a batch of up to <see cref="MicroBatchOptions.MaxBatchSize"/> frames (round-robin across
    /// streams) goes as one <see cref="IFrameAnalyzer.Analyze"/> call on <paramref name="analyzerScheduler"/>, as soon as the
    /// batch is full or its oldest frame has waited <see cref="MicroBatchOptions.MaxWait"/> (on <paramref name="scheduler"/>;
    /// with no wait, at once). Each frame leaves as its skeleton, in its stream's order, carrying its acknowledgement; a
    /// full stream queue applies the <see cref="BackpressurePolicy"/>, every dropped frame rejected with its reason.
    /// </summary>
    /// <remarks>
    /// A frame the analyzer cannot read is rejected with the analyzer's reason. An analyzer that throws fails only its
    /// batch: those frames are rejected as <c>pose-failed</c>. On completion the waiting frames go without waiting and the
    /// sequence completes after the last batch.
    /// </remarks>
    public static IObservable<Acked<SkeletonFrame>> AnalyzeInBatches(this IObservable<Acked<VideoFrame>> source, IFrameAnalyzer analyzer, MicroBatchOptions options,
        IScheduler scheduler, IScheduler analyzerScheduler, PipelineTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(analyzerScheduler);
        ArgumentNullException.ThrowIfNull(telemetry);
        options.Validate();
        return Observable.Create<Acked<SkeletonFrame>>(observer =>
        {
            var stage = new FrameAnalysisStage(observer, analyzer, options, scheduler, analyzerScheduler, telemetry);
            var subscription = source.Subscribe(stage.OnNext, stage.OnError, stage.OnCompleted);
            return new CompositeDisposable(subscription, stage);
        });
    }
}
