using System.Reactive.Concurrency;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline;

public static class ActionLabelPipeline
{
    /// <summary>
    /// Action-event messages to outputs: parse against the model's labels, group by stream (idle expiry starts a new
    /// activity), window with the stream's action history, micro-batch across streams into the model. Every input's
    /// token settles exactly once, as on the skeleton path.
    /// </summary>
    public static IObservable<PendingOutput> PredictFromActions(this IObservable<InputMessage> input, IActionModel model, IReadOnlySet<string> labels,
        ActionLabelPipelineOptions options, IScheduler scheduler, IScheduler modelScheduler, PipelineTelemetry telemetry,
        StreamHandoff? handoff = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return input
            .ParseActionEvents(labels, telemetry, options.MaxMessageBytes)
            .WindowActionsPerStream(options.Window, scheduler, telemetry, handoff)
            .InferInBatches(model, options.Batching, scheduler, modelScheduler, telemetry);
    }
}
