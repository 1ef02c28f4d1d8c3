using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Streaming.Kafka.Configuration;
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
/// the service sustained, end-to-end latency from a window's last frame being captured to its prediction arriving at a
/// downstream consumer, windows dropped by backpressure, the micro-batches the model stage formed and the model's time
/// per batch (from the pipeline's own metrics), CPU and memory. The publisher and the viewer run in the same process and
/// share the 2 cores with the service.
/// </summary>
public static class PipelineBench
{
    const double Fps = 30;
    static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);

    public static IReadOnlyList<BenchResult> Run(string dataRoot, string modelFolder, IReadOnlyList<int> streamCounts, double seconds)
    {
        var takes = ReplayCatalog.UtKinect(Path.Combine(dataRoot, "utkinect-action3d"), "all", DateTimeOffset.UnixEpoch);
        var results = new List<BenchResult>();
        foreach (var s in streamCounts)
        {
            AnsiConsole.MarkupLine($"[grey]{s} streams x {seconds} s at {Fps} fps ...[/]");
            results.AddRange(RunOne(takes, modelFolder, s, seconds));
        }
        return results;
    }

    static IEnumerable<BenchResult> RunOne(IReadOnlyList<RecordedStream> takes, string modelFolder, int streams, double seconds)
    {
        var kafka = new KafkaSettings();
        var pipeline = new PipelineSettings { Model = modelFolder };
        var model = SkeletonModelFolder.Load(modelFolder, TimeSpan.FromSeconds(pipeline.HorizonSeconds));
        var latencies = new List<double>();
        int predictions = 0;
        // The first frames wait for the producer to connect to each partition's leader and get its producer id (up to
        // 1.5 s on the mock cluster): windows ending in the first Warmup are counted but their latency is not.
        var measureFrom = DateTimeOffset.MaxValue;
        using var logging = ConsoleLogging.Create(LogLevel.Error);
        using var harness = new ServiceHarness(kafka, pipeline, model, logging, (prediction, received) =>
        {
            lock (latencies)
            {
                predictions++;
                if (prediction.WindowEnd >= measureFrom) latencies.Add((received - prediction.WindowEnd).TotalMilliseconds);
            }
        });
        var service = harness.Service;
        harness.Ready.Wait(TimeSpan.FromSeconds(60));
        var batches = new List<(int Windows, double Ms)>();
        int pendingBatch = 0;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, harness.Telemetry.Meter) && instrument.Name is PipelineTelemetry.BatchSizeName or PipelineTelemetry.ModelLatencyName)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        // One batch at a time: its size is recorded when it forms, its model time when it ends; after the warmup, as latencies are.
        meters.SetMeasurementEventCallback<int>((_, size, _, _) => pendingBatch = size);
        meters.SetMeasurementEventCallback<double>((_, ms, _, _) =>
        {
            if (DateTimeOffset.UtcNow >= measureFrom) lock (batches) batches.Add((pendingBatch, ms));
        });
        meters.Start();

        var origin = DateTimeOffset.UnixEpoch;
        int frames = (int)(seconds * Fps);
        var load = Enumerable.Range(0, streams).Select(i => (IReadOnlyList<SkeletonFrame>)Cycle(takes[i % takes.Count], $"bench-{i}", frames,
            origin + TimeSpan.FromSeconds(i / (double)streams / Fps))).ToList();

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        measureFrom = DateTimeOffset.UtcNow + Warmup;
        ReplayPublisher.PublishAsync(harness.Producer, kafka.InputTopics[0], load, origin, 1, null, CancellationToken.None).GetAwaiter().GetResult();
        // Drain: until the predictions stop coming for a second.
        int seen = -1;
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromSeconds(1) && clock.Elapsed < TimeSpan.FromSeconds(seconds + 60))
        {
            Thread.Sleep(100);
            int count;
            lock (latencies) count = predictions;
            if (count != seen) (seen, quiet) = (count, Stopwatch.StartNew());
        }
        double wall = clock.Elapsed.TotalSeconds - quiet.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall / Environment.ProcessorCount * 100;
        meters.Dispose();
        double[] sorted;
        lock (latencies) sorted = [.. latencies.Order()];
        List<(int Windows, double Ms)> ran;
        lock (batches) ran = [.. batches];
        long offered = (long)streams * frames;
        int expectedWindows = streams * ((frames - pipeline.WindowFrames) / pipeline.HopFrames + 1);
        string name = $"pipeline S={streams}";
        yield return new BenchResult($"{name} frames/s", "frames/s", offered / wall);
        yield return new BenchResult($"{name} windows/s", "windows/s", predictions / wall);
        yield return new BenchResult($"{name} latency p50", "ms", Quantile(sorted, 0.5));
        yield return new BenchResult($"{name} latency p95", "ms", Quantile(sorted, 0.95));
        yield return new BenchResult($"{name} latency p99", "ms", Quantile(sorted, 0.99));
        yield return new BenchResult($"{name} batch size mean", "windows", ran.Count == 0 ? double.NaN : ran.Average(b => b.Windows));
        yield return new BenchResult($"{name} batch size max", "windows", ran.Count == 0 ? double.NaN : ran.Max(b => b.Windows));
        yield return new BenchResult($"{name} model time per batch mean", "ms", ran.Count == 0 ? double.NaN : ran.Average(b => b.Ms));
        yield return new BenchResult($"{name} model time per batch p99", "ms", Quantile([.. ran.Select(b => b.Ms).Order()], 0.99));
        yield return new BenchResult($"{name} model time per window", "ms", ran.Sum(b => b.Windows) == 0 ? double.NaN : ran.Sum(b => b.Ms) / ran.Sum(b => b.Windows));
        yield return new BenchResult($"{name} predictions", "count", predictions);
        yield return new BenchResult($"{name} windows dropped", "count", Math.Max(0, expectedWindows - predictions));
        yield return new BenchResult($"{name} dead-lettered records", "count", service.DeadLettered);
        yield return new BenchResult($"{name} cpu", "% of all cores", cpu);
        yield return new BenchResult($"{name} memory", "MB", process.WorkingSet64 / (1024.0 * 1024.0));
    }

    static double Quantile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    /// <summary>The take's frames cycled to <paramref name="count"/> frames at exactly 30 fps from <paramref name="start"/>.</summary>
    static List<SkeletonFrame> Cycle(RecordedStream take, string stream, int count, DateTimeOffset start) =>
        Enumerable.Range(0, count).Select(t => take.Frames[t % take.Frames.Count] with
        {
            Stream = stream, Sequence = t, CaptureTime = start + TimeSpan.FromSeconds(t / Fps),
        }).ToList();
}
