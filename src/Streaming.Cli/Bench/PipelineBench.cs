using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Telemetry;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Service.Configuration;
using Streaming.Service.Harness;
using Streaming.Service.Hosting;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;

namespace Streaming.Cli.Bench;

/// <summary>
/// S concurrent 30 fps skeleton streams (UTKinect takes, cycled and re-timed to exactly 30 fps, phases spread over a
/// frame interval) through the embedded broker and the service with a skeleton model folder (baseline, MLP or LLM-AR, as
/// <c>streaming run --model</c> loads it), for a fixed time per S. Measures what a deployment would: frames/s and windows/s
/// the service sustained, the micro-batches the model stage formed and the model's time per window, end-to-end latency from a window's last frame
/// being captured to its prediction arriving at a downstream consumer, where that latency goes (the pipeline's stage
/// telemetry and the Kafka edge's consume latency of both topics), windows dropped by backpressure, CPU and memory.
/// The publisher and the viewer run in the same process and share the 2 cores with the service.
/// </summary>
public static class PipelineBench
{
    const double Fps = 30;
    static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    const double WarmupRunSeconds = 3;

    /// <summary>
    /// The rows of the stage table in the order a window passes them, with what each spans. Ingest includes kafka-in (the
    /// rest of it is the source's own delay in sending); publish (to the service's acknowledgement) and downstream (the
    /// same record to the downstream consumer) both start where the model stage ends.
    /// </summary>
    static readonly (string Stage, string Span)[] Stages =
    [
        (LatencyStages.Ingest, "capture -> received"),
        (KafkaIn, "produced -> consumed"),
        (LatencyStages.Window, "received -> windowed"),
        (LatencyStages.Batch, "windowed -> batched"),
        (LatencyStages.Model, "batched -> predicted"),
        (LatencyStages.Publish, "predicted -> acked"),
        (Downstream, "produced -> consumed"),
        (EndToEnd, "capture -> downstream"),
        (ModelCall, "one batch's Predict"),
    ];

    const string KafkaIn = "kafka-in";
    const string Downstream = "downstream";
    const string EndToEnd = "end-to-end";
    const string ModelCall = "model call";

    public static PipelineBenchRun Run(string dataRoot, string modelFolder, IReadOnlyList<int> streamCounts, double seconds)
    {
        var takes = ReplayCatalog.UtKinect(Path.Combine(dataRoot, "utkinect-action3d"), "all", DateTimeOffset.UnixEpoch);
        var results = new List<BenchResult>();
        var stages = new List<StageLatency>();
        // The first run of a process would measure code the JIT has not optimized yet (the model's first calls run at
        // tier 0): it made the first S's model time per window twice what a later run of the same S measured.
        AnsiConsole.MarkupLine($"[grey]warming up: {streamCounts.Max()} streams x {WarmupRunSeconds} s, not reported ...[/]");
        RunOne(takes, modelFolder, streamCounts.Max(), WarmupRunSeconds);
        foreach (var s in streamCounts)
        {
            AnsiConsole.MarkupLine($"[grey]{s} streams x {seconds} s at {Fps} fps ...[/]");
            var (rows, breakdown) = RunOne(takes, modelFolder, s, seconds);
            results.AddRange(rows);
            stages.AddRange(breakdown);
        }
        return new PipelineBenchRun(results, stages);
    }

    static (List<BenchResult> Results, List<StageLatency> Stages) RunOne(IReadOnlyList<RecordedStream> takes, string modelFolder, int streams, double seconds)
    {
        var kafka = new KafkaSettings();
        var settings = new PipelineSettings { Model = modelFolder };
        var model = SkeletonModelFolder.Load(modelFolder, TimeSpan.FromSeconds(settings.HorizonSeconds));
        var pipeline = settings.ForModel(model);
        // Per stage, the milliseconds of each window measured; the pipeline's stages come from its own telemetry.
        var samples = Stages.ToDictionary(s => s.Stage, _ => new List<double>());
        var batchSizes = new List<int>();
        int predictions = 0;
        // The first frames wait for the producer to connect to each partition's leader and get its producer id (up to
        // 1.5 s on the mock cluster): windows ending in the first Warmup are counted but their latency is not.
        long measureFrom = DateTimeOffset.MaxValue.UtcTicks;
        bool Measuring(DateTimeOffset t) => t.UtcTicks >= Interlocked.Read(ref measureFrom);
        void Add(string stage, double ms)
        {
            lock (samples) samples[stage].Add(ms);
        }
        using var logging = ConsoleLogging.Create(LogLevel.Error);
        using var harness = new ServiceHarness(kafka, pipeline, model, logging, (prediction, received) =>
        {
            Interlocked.Increment(ref predictions);
            if (Measuring(prediction.WindowEnd)) Add(EndToEnd, (received - prediction.WindowEnd).TotalMilliseconds);
        });
        // The Kafka edge's consume latency is the process's: the service reads the input topic, the viewer the output topic.
        using var telemetry = Listen(harness.Telemetry.Meter, (instrument, value, tag) =>
        {
            if (!Measuring(DateTimeOffset.UtcNow)) return;
            switch (instrument)
            {
                case PipelineTelemetry.StageLatencyName when tag is not null: Add(tag, value); break;
                case KafkaMetrics.ConsumeLatencyName when tag == kafka.InputTopics[0]: Add(KafkaIn, value); break;
                case KafkaMetrics.ConsumeLatencyName when tag == kafka.OutputTopic: Add(Downstream, value); break;
                case PipelineTelemetry.ModelLatencyName: Add(ModelCall, value); break;
                case PipelineTelemetry.BatchSizeName: lock (batchSizes) batchSizes.Add((int)value); break;
            }
        });
        var service = harness.Service;
        harness.Ready.Wait(TimeSpan.FromSeconds(60));

        var origin = DateTimeOffset.UnixEpoch;
        int frames = (int)(seconds * Fps);
        var load = Enumerable.Range(0, streams).Select(i => (IReadOnlyList<SkeletonFrame>)Cycle(takes[i % takes.Count], $"bench-{i}", frames,
            origin + TimeSpan.FromSeconds(i / (double)streams / Fps))).ToList();

        var (wall, cpu, memoryMb) = DrainedRun.Measure(() =>
        {
            Interlocked.Exchange(ref measureFrom, (DateTimeOffset.UtcNow + Warmup).UtcTicks);
            ReplayPublisher.PublishAsync(harness.Producer, kafka.InputTopics[0], load, origin, 1, null, CancellationToken.None).GetAwaiter().GetResult();
        }, () => Volatile.Read(ref predictions), seconds);
        List<StageLatency> breakdown;
        lock (samples) breakdown = Stages.Select(s => StageLatency.Of(streams, s.Stage, s.Span, samples[s.Stage])).ToList();
        var endToEnd = breakdown.Single(s => s.Stage == EndToEnd);
        double meanBatch, maxBatch, windowsBatched;
        lock (batchSizes) (meanBatch, maxBatch, windowsBatched) = batchSizes.Count == 0 ? (double.NaN, double.NaN, 0) : (batchSizes.Average(), batchSizes.Max(), batchSizes.Sum());
        double modelMs;
        lock (samples) modelMs = samples[ModelCall].Sum();
        long offered = (long)streams * frames;
        int expectedWindows = streams * ((frames - pipeline.WindowFrames) / pipeline.HopFrames + 1);
        string name = $"pipeline S={streams}";
        var results = new List<BenchResult>
        {
            new($"{name} frames/s", "frames/s", offered / wall),
            new($"{name} windows/s", "windows/s", predictions / wall),
            new($"{name} latency p50", "ms", endToEnd.P50),
            new($"{name} latency p95", "ms", endToEnd.P95),
            new($"{name} latency p99", "ms", endToEnd.P99),
            new($"{name} predictions", "count", predictions),
            new($"{name} windows dropped", "count", Math.Max(0, expectedWindows - predictions)),
            new($"{name} dead-lettered records", "count", service.DeadLettered),
            new($"{name} batch size mean", "windows", meanBatch),
            new($"{name} batch size max", "windows", maxBatch),
            new($"{name} model time per window", "ms", windowsBatched == 0 ? double.NaN : modelMs / windowsBatched),
            new($"{name} cpu", "% of all cores", cpu),
            new($"{name} memory", "MB", memoryMb),
        };
        foreach (var stage in breakdown.Where(s => s.Stage != EndToEnd))
        {
            results.Add(new BenchResult($"{name} stage {stage.Stage} p50", "ms", stage.P50));
            results.Add(new BenchResult($"{name} stage {stage.Stage} p95", "ms", stage.P95));
            results.Add(new BenchResult($"{name} stage {stage.Stage} p99", "ms", stage.P99));
        }
        return (results, breakdown);
    }

    /// <summary>
    /// Listens to the instruments of one pipeline's meter and to the Kafka edge's consume latency: each measurement with its
    /// instrument's name and its <c>stage</c>, <c>model</c> or <c>reason</c> tag (the pipeline's) or <c>topic</c> tag (the
    /// Kafka edge's), if any.
    /// </summary>
    internal static MeterListener Listen(Meter pipeline, Action<string, double, string?> measured)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, pipeline) || instrument is { Meter.Name: KafkaMetrics.MeterName, Name: KafkaMetrics.ConsumeLatencyName })
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured(instrument.Name, value, TagOf(tags)));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => measured(instrument.Name, value, null));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured(instrument.Name, value, TagOf(tags)));
        listener.Start();
        return listener;
    }

    static string? TagOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
            if (tag.Key is "stage" or "topic" or "model" or "reason") return tag.Value as string;
        return null;
    }

    /// <summary>The take's frames cycled to <paramref name="count"/> frames at exactly 30 fps from <paramref name="start"/>.</summary>
    static List<SkeletonFrame> Cycle(RecordedStream take, string stream, int count, DateTimeOffset start) =>
        Enumerable.Range(0, count).Select(t => take.Frames[t % take.Frames.Count] with
        {
            Stream = stream, Sequence = t, CaptureTime = start + TimeSpan.FromSeconds(t / Fps),
        }).ToList();
}
