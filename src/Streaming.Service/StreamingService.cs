using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Telemetry;
using Streaming.Pipeline;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.FrameAnalysis;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;
using Streaming.Service.Configuration;

namespace Streaming.Service;

/// <summary>
/// The running service: Kafka records in, the skeleton, camera-frame or action-label pipeline (<see cref="PipelineSettings.Input"/>),
/// predictions out, with Kafka's at-least-once contract kept end to end. Each record becomes a pipeline input whose
/// acknowledgement settles it: a record whose outputs the broker acknowledged is marked done; a rejected record goes to
/// <c>&lt;topic&gt;.dlq</c> with its reason and is marked done once that write is acknowledged. Offsets are committed only
/// up to records marked done (see OffsetLedger), so a crash replays exactly what had not settled. Traces flow through: a
/// record's <c>traceparent</c> parents its process span, which the windows it joins link to, and each prediction carries
/// its window span's <c>traceparent</c>.
/// </summary>
/// <remarks>
/// Stopping: <see cref="DrainAsync"/> pauses the input, lets every window already formed be published, then commits and
/// leaves the group. Frames still waiting for a window stay unsettled, so the partition's next owner reads them again and
/// forms those windows; nothing formed here is formed twice.
/// </remarks>
public sealed class StreamingService : IDisposable
{
    readonly KafkaSink sink;
    readonly DeadLetters deadLetters;
    readonly PipelineTelemetry telemetry;
    readonly EventLoopScheduler modelThread = new(start => new Thread(start) { IsBackground = true, Name = "model" });
    // Frame input: decoding and the pose model run here, beside the recognizer's thread.
    readonly EventLoopScheduler poseThread = new(start => new Thread(start) { IsBackground = true, Name = "pose" });
    readonly ConsumptionControl consumption = new();
    readonly StreamHandoff handoff = new();
    readonly Dictionary<TopicPartition, HashSet<string>> streamsOf = [];
    readonly HashSet<TopicPartition> held = [];
    readonly TimeSpan handoffBound;
    readonly IDisposable subscription;
    readonly ILogger logger;
    readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource assigned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long published, deadLettered, publishFailures, writesInFlight;
    int disposed;

    /// <param name="handoffBound">How long a rebalance that takes partitions away waits for the windows in flight to be published.</param>
    /// <param name="frames">Frame input only: the analyzer (decode and pose) that turns camera frames into skeletons for <paramref name="model"/>.</param>
    /// <param name="video">Frame input only: the pose stage's batches and the largest frame; defaults when null.</param>
    public StreamingService(KafkaSettings kafka, string bootstrapServers, IActionModel model, PipelineSettings pipeline, PipelineTelemetry telemetry, ILogger logger,
        TimeSpan? handoffBound = null, IFrameAnalyzer? frames = null, VideoSettings? video = null)
    {
        if (pipeline.Input == PipelineInput.Frames && frames is null)
            throw new ArgumentException("Pipeline:Input Frames needs a frame analyzer: the pose model that turns camera frames into skeletons.", nameof(frames));
        this.logger = logger;
        this.telemetry = telemetry;
        this.handoffBound = handoffBound ?? TimeSpan.FromSeconds(10);
        sink = new KafkaSink(kafka, bootstrapServers);
        deadLetters = new DeadLetters(sink);
        var outputTopic = kafka.OutputTopic;
        var input = KafkaSource.Create(kafka, bootstrapServers, partitions =>
            {
                held.UnionWith(partitions);
                LogHeld();
                assigned.TrySetResult();
            }, consumption, HandOff)
            .Select(record => new InputMessage(StreamOf(record), record.Value ?? [], new AckToken(outcome => Settle(record, outcome)), record.TraceContext) { Headers = record.Headers });
        var outputs = pipeline.Input switch
        {
            PipelineInput.ActionLabels => input.PredictFromActions(model, ActionsOf(model), pipeline.ToActionOptions(), DefaultScheduler.Instance, modelThread, telemetry, handoff),
            PipelineInput.Frames => input.PredictFromFrames(frames!, model, pipeline.ForModel(model).ToFrameOptions(video ?? new VideoSettings()),
                DefaultScheduler.Instance, poseThread, modelThread, telemetry, handoff),
            _ => input.Predict(model, pipeline.ForModel(model).ToOptions(), DefaultScheduler.Instance, modelThread, telemetry, handoff),
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

    /// <summary>
    /// Stops taking input and waits, at most <paramref name="bound"/>, until every window formed so far is published or
    /// dropped and every dead-letter write is acknowledged; then commits what settled and leaves the consumer group.
    /// </summary>
    /// <returns>Whether everything in flight settled within the bound (if not, the rest is consumed again by the next owner).</returns>
    public async Task<bool> DrainAsync(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + bound;
        consumption.Pause();
        var drained = false;
        try
        {
            await consumption.Paused.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
            while (!(drained = Settled) && DateTime.UtcNow < deadline)
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("the consumer did not pause within {Bound} s", bound.TotalSeconds);
        }
        if (!drained)
            logger.LogWarning("drain bound of {Bound} s reached with {Windows} windows and {Writes} writes in flight; their records will be consumed again",
                bound.TotalSeconds, telemetry.WindowsInFlight, Interlocked.Read(ref writesInFlight));
        Dispose();
        return drained;
    }

    /// <summary>The record's stream id (its key), remembered by partition for a later handoff; runs on the consumer's thread.</summary>
    string StreamOf(InputRecord record)
    {
        var stream = record.Key is null ? "" : Encoding.UTF8.GetString(record.Key);
        var partition = record.Position.TopicPartition;
        if (!streamsOf.TryGetValue(partition, out var streams)) streamsOf[partition] = streams = new HashSet<string>(StringComparer.Ordinal);
        streams.Add(stream);
        return stream;
    }

    /// <summary>
    /// A rebalance takes <paramref name="partitions"/> away (on the consumer's thread, before their offsets are committed):
    /// the windows already formed are published first, so that the commit covers them and the next owner does not form
    /// them again; then the streams of those partitions are handed off, their frames that wait for a window left unsettled
    /// for the next owner to read again.
    /// </summary>
    void HandOff(IReadOnlyList<TopicPartition> partitions)
    {
        // Disposing (the consumer closes after the pipeline is gone): what is in flight now never settles.
        if (Volatile.Read(ref disposed) == 0 && !WaitForInFlight(DateTime.UtcNow + handoffBound))
            logger.LogWarning("rebalance: {Windows} windows still in flight after {Bound} s; their records go to the next owner uncommitted",
                telemetry.WindowsInFlight, handoffBound.TotalSeconds);
        var streams = new List<string>();
        foreach (var partition in partitions)
        {
            if (streamsOf.Remove(partition, out var of)) streams.AddRange(of);
        }
        logger.LogInformation("partitions revoked: {Partitions}; {Streams} streams handed off", Names(partitions), streams.Count);
        handoff.HandOff(streams);
        held.ExceptWith(partitions);
        LogHeld();
    }

    /// <summary>Which member holds which partitions after each rebalance step: what moved is read from the members' logs.</summary>
    void LogHeld() => logger.LogInformation("partitions held: {Partitions}", held.Count == 0 ? "none" : Names(held.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value)));

    static string Names(IEnumerable<TopicPartition> partitions) => string.Join(",", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));

    /// <summary>No frame in the pose stage, no window formed and unsettled, no write unacknowledged.</summary>
    bool Settled => telemetry.FramesInAnalysis == 0 && telemetry.WindowsInFlight == 0 && Interlocked.Read(ref writesInFlight) == 0;

    bool WaitForInFlight(DateTime deadline)
    {
        while (!Settled)
        {
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    void Publish(string topic, PendingOutput output)
    {
        var prediction = output.Prediction;
        var value = ActionPredictionJson.Serialize(prediction);
        // Downstream consumers continue the window's trace.
        var headers = TraceContextHeaders.Inject(output.Window.Span?.Context ?? default);
        Interlocked.Increment(ref writesInFlight);
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
            Interlocked.Decrement(ref writesInFlight);
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
        Interlocked.Increment(ref writesInFlight);
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
            Interlocked.Decrement(ref writesInFlight);
        }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        subscription.Dispose();
        poseThread.Dispose();
        modelThread.Dispose();
        sink.Dispose();
    }
}
