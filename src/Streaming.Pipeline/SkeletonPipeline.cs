using System.Reactive.Concurrency;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline;

public static class SkeletonPipeline
{
    /// <summary>
    /// Skeleton messages to outputs: parse, group by stream (idle expiry ends the stream's state), window, micro-batch
    /// across streams into the model, smooth. Every input's token settles exactly once: rejected with a
    /// reason, or contributed once the outputs holding it are acknowledged.
    /// </summary>
    public static IObservable<PendingOutput> Predict(this IObservable<InputMessage> input, IActionModel model, SkeletonPipelineOptions options,
        IScheduler scheduler, IScheduler modelScheduler, PipelineTelemetry telemetry,
        StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return input
            .ParseSkeletons(telemetry, options.MaxMessageBytes)
            .WindowPerStream(options.Window, scheduler, telemetry, handoff)
            .InferInBatches(model, options.Batching, scheduler, modelScheduler, telemetry)
            .Smooth(options.SmoothingWindows);
    }
}
