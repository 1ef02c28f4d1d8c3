using Microsoft.Extensions.Logging;
using Spectre.Console;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Telemetry;
using Streaming.Kafka.Topics;
using Streaming.Pipeline.Telemetry;
using Streaming.Service.Configuration;
using Streaming.Service.Harness;
using Streaming.Service.Hosting;
using Streaming.Service.ModelFolders;
using Streaming.Video.Imaging;
using Streaming.Video.Ingest;

namespace Streaming.Cli.Bench;

/// <summary>
/// S camera streams of 320x240 JPEG frames (demo.mp4, re-encoded at quality 85) at 15 or 30 fps through the embedded
/// broker and the service with frame input: MoveNet Lightning on every frame, then the skeleton path with
/// samples/llm-ar-2d. Measures end-to-end latency from a frame's capture (the moment the camera sends it) to the
/// prediction of the window it ends arriving at a downstream consumer, where it goes, frames and windows dropped by the
/// backpressure policy, pose batches, CPU and memory. Latencies and drops count after a 2 s warm-up (the pose model's
/// first runs, the producer's first connections); the cameras and the viewer run in the service's process.
/// </summary>
public static class CameraPipelineBench
{
    const int Width = 320, Height = 240, Quality = 85;
    static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);

    const string KafkaIn = "kafka-in";
    const string PoseCall = "pose call";
    const string Downstream = "downstream";
    const string EndToEnd = "end-to-end";
    const string ModelCall = "model call";

    /// <summary>The rows of the stage table in the order a frame passes them; ingest spans Kafka, the pose queue and the pose model.</summary>
    static readonly (string Stage, string Span)[] Stages =
    [
        (LatencyStages.Ingest, "capture -> skeleton"),
        (KafkaIn, "produced -> consumed"),
        (PoseCall, "one batch's decode + pose"),
        (LatencyStages.Window, "skeleton -> windowed"),
        (LatencyStages.Batch, "windowed -> batched"),
        (LatencyStages.Model, "batched -> predicted"),
        (LatencyStages.Publish, "predicted -> acked"),
        (Downstream, "produced -> consumed"),
        (EndToEnd, "capture -> downstream"),
        (ModelCall, "one batch's Predict"),
    ];

    public static IEnumerable<(List<BenchResult> Results, CameraStages Stages)> Run(string videos, IReadOnlyList<int> streamCounts, IReadOnlyList<double> rates,
        double seconds, VideoSettings video)
    {
        var frames = ClipFrames.Read(Path.Combine(videos, "demo.mp4"), new VideoSourceOptions { Width = Width, Height = Height, KeepAspect = false });
        var jpegs = frames.ConvertAll(f => JpegCodec.Encode(f, Quality));
        foreach (var fps in rates)
        {
            foreach (var s in streamCounts)
            {
                AnsiConsole.MarkupLine($"[grey]{s} cameras x {seconds} s at {fps} fps ...[/]");
                var (results, stages) = RunOne(jpegs, s, fps, seconds, video);
                yield return (results, new CameraStages(fps, stages));
            }
        }
    }

    static (List<BenchResult> Results, List<StageLatency> Stages) RunOne(List<byte[]> jpegs, int streams, double fps, double seconds, VideoSettings video)
    {
        var kafka = new KafkaSettings { InputTopics = [StreamingTopics.Frames.Name] };
        var settings = new PipelineSettings { Input = PipelineInput.Frames, Model = PipelineSettings.DefaultFrameModel };
        var model = SkeletonModelFolder.Load(settings.Model, TimeSpan.FromSeconds(settings.HorizonSeconds));
        var pipeline = settings.ForModel(model);
        var samples = Stages.ToDictionary(s => s.Stage, _ => new List<double>());
        int predictions = 0;
        long framesDropped = 0, windowsDropped = 0, poseCalls = 0;
        double poseMs = 0;
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
        }, video);
        using var telemetry = PipelineBench.Listen(harness.Telemetry.Meter, (instrument, value, tag) =>
        {
            if (instrument == PipelineTelemetry.ModelLatencyName && tag?.StartsWith("pose:", StringComparison.Ordinal) == true)
                lock (samples) (poseCalls, poseMs) = (poseCalls + 1, poseMs + value);
            if (!Measuring(DateTimeOffset.UtcNow)) return;
            switch (instrument)
            {
                case PipelineTelemetry.RejectedName when tag is not null && tag.StartsWith("backpressure", StringComparison.Ordinal):
                    Interlocked.Add(ref framesDropped, (long)value); break;
                case PipelineTelemetry.WindowsDroppedName: Interlocked.Add(ref windowsDropped, (long)value); break;
                case PipelineTelemetry.StageLatencyName when tag is not null: Add(tag, value); break;
                case KafkaMetrics.ConsumeLatencyName when tag == kafka.InputTopics[0]: Add(KafkaIn, value); break;
                case KafkaMetrics.ConsumeLatencyName when tag == kafka.OutputTopic: Add(Downstream, value); break;
                case PipelineTelemetry.ModelLatencyName: Add(tag?.StartsWith("pose:", StringComparison.Ordinal) == true ? PoseCall : ModelCall, value); break;
            }
        });
        var service = harness.Service;
        harness.Ready.Wait(TimeSpan.FromSeconds(60));

        int frames = (int)(seconds * fps);
        var (wall, cpu, memoryMb) = DrainedRun.Measure(() =>
        {
            Interlocked.Exchange(ref measureFrom, (DateTimeOffset.UtcNow + Warmup).UtcTicks);
            CameraLoad.PublishAsync(harness.Producer, kafka.InputTopics[0], jpegs, Width, Height, streams, fps, frames).GetAwaiter().GetResult();
        }, () => Volatile.Read(ref predictions), seconds);
        List<StageLatency> breakdown;
        lock (samples) breakdown = Stages.Select(s => StageLatency.Of(streams, s.Stage, s.Span, samples[s.Stage])).ToList();
        var endToEnd = breakdown.Single(s => s.Stage == EndToEnd);
        long offered = (long)streams * frames;
        double analyzed = offered - service.DeadLettered;
        string name = $"camera S={streams} {fps:0}fps";
        List<BenchResult> results =
        [
            new($"{name} frames/s offered", "frames/s", offered / wall),
            new($"{name} latency p50", "ms", endToEnd.P50),
            new($"{name} latency p95", "ms", endToEnd.P95),
            new($"{name} latency p99", "ms", endToEnd.P99),
            new($"{name} predictions", "count", predictions),
            new($"{name} frames dropped", "count", Interlocked.Read(ref framesDropped)),
            new($"{name} windows dropped", "count", Interlocked.Read(ref windowsDropped)),
            new($"{name} dead-lettered records", "count", service.DeadLettered),
            new($"{name} pose batch size mean", "frames", poseCalls == 0 ? double.NaN : analyzed / poseCalls),
            new($"{name} pose time per frame", "ms", analyzed == 0 ? double.NaN : poseMs / analyzed),
            new($"{name} cpu", "% of all cores", cpu),
            new($"{name} memory", "MB", memoryMb),
        ];
        foreach (var stage in breakdown.Where(s => s.Stage != EndToEnd))
        {
            results.Add(new BenchResult($"{name} stage {stage.Stage} p50", "ms", stage.P50));
            results.Add(new BenchResult($"{name} stage {stage.Stage} p95", "ms", stage.P95));
            results.Add(new BenchResult($"{name} stage {stage.Stage} p99", "ms", stage.P99));
        }
        return (results, breakdown);
    }
}
