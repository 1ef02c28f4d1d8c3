using System.Collections.Concurrent;
using System.Globalization;
using FFMpegCore;
using Microsoft.Extensions.Logging;
using SkiaSharp;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Topics;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Service.Configuration;
using Streaming.Service.Demo;
using Streaming.Service.Harness;
using Streaming.Service.Hosting;
using Streaming.Service.Ingest;
using Streaming.Service.ModelFolders;
using Streaming.Video.Ingest;
using Streaming.Video.Overlay;

namespace Streaming.Cli.Commands;

/// <summary>What `streaming demo --video` replays and where it writes.</summary>
public sealed record CameraDemoOptions(string VideosFolder, string Model, string PoseModel, int Height, double FramesPerSecond, int SheetColumns, int SheetCellWidth, double Lead, string OutDir);

/// <summary>
/// <c>streaming demo --video</c>: the clips of the shared videos folder replayed in real time as live camera streams (one
/// each) through the embedded broker into the service (MoveNet, then the 2-D LLM-AR model), a viewer of the output topic,
/// and, from what the viewer received, an annotated video per stream, a contact sheet and the timeline. The clips carry
/// no labels, so it reports what was recognized, never an accuracy.
/// </summary>
public static class CameraDemo
{
    /// <summary>Seconds without frames after which a camera has ended; more than the pose stage may stall a stream on busy cores.</summary>
    const double IdleSeconds = 3;

    static readonly string[] VideoExtensions = [".mp4", ".avi", ".mkv", ".mov", ".webm"];

    /// <summary>A clip as its camera sends it: at the demo's frame rate.</summary>
    sealed record Clip(string Stream, string Path, double FramesPerSecond, int EstimatedFrames);

    public static async Task<int> Run(CameraDemoOptions options, CancellationToken cancellationToken)
    {
        var clips = Clips(options.VideosFolder, options.FramesPerSecond);
        var kafka = new KafkaSettings { InputTopics = [StreamingTopics.Frames.Name] };
        // Block: when the cores are busy, frames wait in Kafka rather than being dropped, so every window of every clip is
        // predicted and the annotated videos are complete; the latency shows what the wait cost.
        // A camera silent for IdleSeconds has ended: the frames after its last full window are dead-lettered before the summary.
        var pipeline = new PipelineSettings { Input = PipelineInput.Frames, Model = options.Model, Backpressure = BackpressurePolicy.Block, IdleTimeoutSeconds = IdleSeconds };
        // One intra-op thread: measured faster than two on cores that other work shares (docs/video.md).
        var video = new VideoSettings { PoseModel = options.PoseModel, IntraOpThreads = 1 };
        var model = SkeletonModelFolder.Load(options.Model, TimeSpan.FromSeconds(pipeline.HorizonSeconds));
        pipeline = pipeline.ForModel(model);

        using var logging = ConsoleLogging.Create(LogLevel.Warning);
        var recorder = new CameraDemoRecorder();
        using var harness = new ServiceHarness(kafka, pipeline, model, logging, recorder.Add, video);
        var service = harness.Service;
        AnsiConsole.MarkupLine($"[bold]streaming demo --video[/]: embedded Kafka at {harness.BootstrapServers}, pose model {Markup.Escape(harness.PoseModel!.Name)}, " +
            $"recognizer {Markup.Escape(model.Id)}, {clips.Count} clips as live camera streams ({string.Join(", ", clips.Select(c => Markup.Escape(c.Stream)))}) " +
            $"at {options.Height} px high, windows of {pipeline.WindowFrames} frames every {pipeline.HopFrames}");
        await AnsiConsole.Status().StartAsync("waiting for the service and the viewer to join their consumer groups", _ =>
            harness.Ready.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken));

        // Real time: each clip is a camera, its frames sent as they would be captured.
        var sourceOptions = new VideoSourceOptions { Height = options.Height, FramesPerSecond = options.FramesPerSecond, Speed = 1 };
        var sources = clips.Select(c => new VideoFrameSource(VideoSourceAddress.Parse(c.Path), c.Stream, sourceOptions)).ToList();
        VideoPublishSummary published = null!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var sent = ctx.AddTask("frames published (real time)", maxValue: clips.Sum(c => c.EstimatedFrames));
                var predicted = ctx.AddTask("predictions received", maxValue: clips.Sum(c => Math.Max(1, (c.EstimatedFrames - pipeline.WindowFrames) / pipeline.HopFrames + 1)));
                var progress = new Progress<VideoPublishProgress>(p => sent.Value = Math.Min(p.Frames, sent.MaxValue));
                var publishing = VideoPublisher.PublishAsync(harness.Producer, kafka.InputTopics[0], sources, 85, progress, cancellationToken);
                // Until the clips are sent and nothing has arrived for longer than a camera may be idle.
                long seen = -1;
                var quietSince = DateTimeOffset.UtcNow;
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(250, CancellationToken.None);
                    predicted.Value = Math.Min(recorder.Count, predicted.MaxValue);
                    if (recorder.Count != seen) (seen, quietSince) = (recorder.Count, DateTimeOffset.UtcNow);
                    if (publishing.IsCompleted && DateTimeOffset.UtcNow - quietSince > TimeSpan.FromSeconds(IdleSeconds + 1)) break;
                }
                published = await publishing;
                sent.Value = sent.MaxValue;
                predicted.Value = predicted.MaxValue;
            });

        Directory.CreateDirectory(options.OutDir);
        var (rows, frames, videos) = await Annotate(clips, recorder, options, cancellationToken);
        var sheet = Path.Combine(options.OutDir, "contact-sheet.png");
        ContactSheet.Write(sheet, rows, options.SheetCellWidth);
        foreach (var bitmap in rows.SelectMany(r => r.Frames)) bitmap.Dispose();
        var timeline = Path.Combine(options.OutDir, "timeline.html");
        TimelineReport.Write(timeline, "streaming demo --video: what was recognized in each camera stream",
            clips.Select(c => recorder.Timeline(c.Stream, frames[c.Stream], c.FramesPerSecond, options.Lead)).ToList());

        Summarize(clips, recorder, service.Published, service.DeadLettered, published, frames, options.OutDir);
        AnsiConsole.MarkupLine("outputs:");
        foreach (var path in videos.Append(sheet).Append(timeline)) AnsiConsole.MarkupLine($"  [link]{Markup.Escape(Path.GetFullPath(path))}[/]");
        return 0;
    }

    /// <summary>The video files of the folder, each with its length in frames at <paramref name="framesPerSecond"/> (for the progress bars).</summary>
    static List<Clip> Clips(string folder, double framesPerSecond)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"demo --video: the videos folder {Path.GetFullPath(folder)} does not exist; pass --data <shared data folder> (it holds videos/) or set STREAMING_DATA.");
        var files = Directory.GetFiles(folder).Where(f => VideoExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new FileNotFoundException($"demo --video: no video files ({string.Join(", ", VideoExtensions)}) in {Path.GetFullPath(folder)}.");
        return files.Select(f =>
        {
            var stream = FFProbe.Analyse(f).PrimaryVideoStream ?? throw new InvalidDataException($"demo --video: {f} has no video stream.");
            return new Clip(Path.GetFileNameWithoutExtension(f), f, framesPerSecond, Math.Max(1, (int)Math.Round(stream.Duration.TotalSeconds * framesPerSecond)));
        }).ToList();
    }

    /// <summary>
    /// Decodes each clip again at the size it was published, draws on every frame the latest prediction the viewer had for
    /// it (keypoints and skeleton of the window's last frame, the recognized action and its probability), encodes the
    /// frames to &lt;stream&gt;.mp4, and keeps a few evenly spaced ones for the contact sheet.
    /// </summary>
    static async Task<(List<ContactSheetRow> Rows, Dictionary<string, int> Frames, List<string> Videos)> Annotate(
        IReadOnlyList<Clip> clips, CameraDemoRecorder recorder, CameraDemoOptions options, CancellationToken cancellationToken)
    {
        var rows = new List<ContactSheetRow>();
        var frames = new Dictionary<string, int>(StringComparer.Ordinal);
        var videos = new List<string>();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                foreach (var clip in clips)
                {
                    var task = ctx.AddTask($"annotating {Markup.Escape(clip.Stream)}.mp4", maxValue: clip.EstimatedFrames);
                    var overlay = recorder.Overlay(clip.Stream);
                    var picks = Enumerable.Range(0, options.SheetColumns).Select(i => (long)((i + 0.5) * clip.EstimatedFrames / options.SheetColumns)).ToHashSet();
                    var sampled = new List<SKBitmap>();
                    using var annotated = new BlockingCollection<SKBitmap>(boundedCapacity: 8);
                    var path = Path.Combine(options.OutDir, clip.Stream + ".mp4");
                    var encoding = Task.Run(() => AnnotatedVideoWriter.WriteAsync(path, annotated.GetConsumingEnumerable(cancellationToken), clip.FramesPerSecond, cancellationToken), cancellationToken);
                    var count = 0;
                    try
                    {
                        var source = new VideoFrameSource(VideoSourceAddress.Parse(clip.Path), clip.Stream, new VideoSourceOptions { Height = options.Height, FramesPerSecond = options.FramesPerSecond, Speed = 0 });
                        await foreach (var frame in source.ReadAsync(cancellationToken))
                        {
                            var prediction = overlay(frame.Sequence);
                            var bitmap = PoseOverlay.Draw(frame.Image, prediction?.LastFrame?.Keypoints, Caption(prediction));
                            if (picks.Contains(frame.Sequence)) sampled.Add(bitmap.Copy());
                            annotated.Add(bitmap, cancellationToken);
                            task.Value = Math.Min(++count, task.MaxValue);
                        }
                    }
                    finally
                    {
                        annotated.CompleteAdding();
                    }
                    await encoding;
                    task.Value = task.MaxValue;
                    frames[clip.Stream] = count;
                    videos.Add(path);
                    rows.Add(new ContactSheetRow($"{clip.Stream}: {count} frames at {clip.FramesPerSecond.ToString("0.#", CultureInfo.InvariantCulture)} fps", sampled));
                }
            });
        return (rows, frames, videos);
    }

    static string Caption(ActionPrediction? prediction) => prediction is null
        ? "waiting for the first window"
        : string.Create(CultureInfo.InvariantCulture, $"{prediction.Recognized.Label} {prediction.Recognized.Probability:0.00}");

    static void Summarize(IReadOnlyList<Clip> clips, CameraDemoRecorder recorder, long windows, long deadLettered, VideoPublishSummary published, Dictionary<string, int> frames, string outDir)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("what was recognized (these clips carry no labels: no accuracy is claimed)");
        foreach (var column in new[] { "stream", "frames", "windows", "recognized (share of windows)", "mean p" }) table.AddColumn(column);
        foreach (var clip in clips)
        {
            var predictions = recorder.Of(clip.Stream).Select(r => r.Prediction).ToList();
            var shares = predictions.GroupBy(p => p.Recognized.Label).OrderByDescending(g => g.Count())
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {(double)g.Count() / predictions.Count:P0}"));
            table.AddRow(Markup.Escape(clip.Stream), frames[clip.Stream].ToString(CultureInfo.InvariantCulture), predictions.Count.ToString(CultureInfo.InvariantCulture),
                predictions.Count == 0 ? "[grey]none[/]" : Markup.Escape(string.Join(", ", shares)),
                predictions.Count == 0 ? "" : predictions.Average(p => p.Recognized.Probability).ToString("0.00", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);

        var received = clips.SelectMany(c => recorder.Of(c.Stream)).ToList();
        var latencies = received.Select(r => r.LatencyMs).Order().ToArray();
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"{published.Frames} frames published, {windows} windows predicted and published, {received.Count} predictions received downstream, {deadLettered} frames dead-lettered; " +
            $"end-to-end latency (frame captured -> prediction received): p50 {P(0.5):0} ms, p99 {P(0.99):0} ms"));
        ResultsFile.Write(Path.Combine(outDir, "results.json"), "streaming demo --video",
        [
            new("demo video frames", "count", published.Frames),
            new("demo video predictions", "count", received.Count),
            new("demo video dead-lettered frames", "count", deadLettered),
            new("demo video latency p50", "ms", P(0.5)),
            new("demo video latency p99", "ms", P(0.99)),
        ]);
    }
}
