using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Telemetry;
using Streaming.Pipeline;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Cli.Hosting;

/// <summary>
/// The running service: Kafka records in, the skeleton or action-label pipeline (<see cref="PipelineSettings.Input"/>),
/// predictions out, with Kafka's at-least-once contract kept end to end. Each record becomes a pipeline input whose
/// acknowledgement settles it: a record whose outputs the broker acknowledged is marked done; a rejected record goes to <c>&lt;topic&gt;.dlq</c> with its reason and is marked done
/// once that write is acknowledged. Offsets are committed only up to records marked done (see OffsetLedger), so a
/// crash replays exactly what had not settled. Traces flow through: a record's <c>traceparent</c> parents its process
/// span, which the windows it joins link to, and each prediction carries its window span's <c>traceparent</c>.
/// </summary>
public sealed class StreamingService : IDisposable
{
    readonly KafkaSink sink;
    readonly DeadLetters deadLetters;
    readonly EventLoopScheduler modelThread = new(start => new Thread(start) { IsBackground = true, Name = "model" });
    readonly IDisposable subscription;
    readonly ILogger logger;
    readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource assigned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long published, deadLettered, publishFailures;

    public StreamingService(KafkaSettings kafka, string bootstrapServers, IActionModel model, PipelineSettings pipeline, PipelineTelemetry telemetry, ILogger logger)
    {
        this.logger = logger;
        sink = new KafkaSink(kafka, bootstrapServers);
        deadLetters = new DeadLetters(sink);
        var outputTopic = kafka.OutputTopic;
        var input = KafkaSource.Create(kafka, bootstrapServers, _ => assigned.TrySetResult())
            .Select(record => new InputMessage(record.Key is null ? "" : Encoding.UTF8.GetString(record.Key), record.Value ?? [],
                new AckToken(outcome => Settle(record, outcome)), record.TraceContext));
        var outputs = pipeline.Input switch
        {
            PipelineInput.ActionLabels => input.PredictFromActions(model, ActionsOf(model), pipeline.ToActionOptions(), DefaultScheduler.Instance, modelThread, telemetry),
            _ => input.Predict(model, pipeline.ToOptions(), DefaultScheduler.Instance, modelThread, telemetry),
        };
        subscription = outputs
            .Subscribe(output => Publish(outputTopic, output), error =>
            {
                logger.LogError(error, "pipeline stopped on an error; unsettled records will be consumed again after a restart");
                stopped.TrySetException(error);
            }, () => stopped.TrySetResult());
    }

    /// <summary>The labels action events may carry: the actions of the ActionLLM model that action-label input needs.</summary>
    static HashSet<string> ActionsOf(IActionModel model) => model is ActionLlmActionModel actionLlm
        ? actionLlm.Actions.ToHashSet(StringComparer.Ordinal)
        : throw new ArgumentException($"action-label input needs an ActionLLM model (Pipeline:Anticipator); {model.Id} is not one.", nameof(model));

    /// <summary>Predictions the broker acknowledged.</summary>
    public long Published => Interlocked.Read(ref published);

    /// <summary>Input records written to the dead-letter topic.</summary>
    public long DeadLettered => Interlocked.Read(ref deadLettered);

    /// <summary>Completes when the consumer has joined its group and holds input partitions.</summary>
    public Task Assigned => assigned.Task;

    /// <summary>Completes when the input ends or fails (a consumer stops only when disposed or on a fatal error).</summary>
    public Task Stopped => stopped.Task;

    void Publish(string topic, PendingOutput output)
    {
        var prediction = output.Prediction;
        var value = ActionPredictionJson.Serialize(prediction);
        // Downstream consumers continue the window's trace.
        var headers = TraceContextHeaders.Inject(output.Window.Span?.Context ?? default);
        sink.PublishAsync(topic, Encoding.UTF8.GetBytes(prediction.Stream), value, headers).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                Interlocked.Increment(ref published);
                output.Acknowledge();
            }
            else
            {
                // Not acknowledged: its frames stay unsettled, so their offsets are not committed and they come again.
                Interlocked.Increment(ref publishFailures);
                logger.LogError(t.Exception?.GetBaseException(), "publishing the prediction for stream {Stream} window {Window} failed", prediction.Stream, prediction.WindowId);
            }
        }, TaskScheduler.Default);
    }

    void Settle(InputRecord record, AckOutcome outcome)
    {
        if (outcome.Contributed)
        {
            record.MarkDone();
            return;
        }
        var rejection = outcome.Rejection!;
        deadLetters.PublishAsync(record, rejection.Code, rejection.Message).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                Interlocked.Increment(ref deadLettered);
                record.MarkDone();
            }
            else
            {
                logger.LogError(t.Exception?.GetBaseException(), "dead-lettering {Record} ({Reason}) failed; it will be consumed again after a restart", record, rejection.Code);
            }
        }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        subscription.Dispose();
        modelThread.Dispose();
        sink.Dispose();
    }
}
