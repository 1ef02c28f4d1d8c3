using System.Globalization;
using System.Runtime.CompilerServices;
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

    /// <summary>A clip as its camera sends it: its frames at the demo's size and frame rate, decoded before the replay.</summary>
    sealed record Clip(string Stream, IReadOnlyList<CapturedFrame> Frames);

    public static async Task<int> Run(CameraDemoOptions options, CancellationToken cancellationToken)
    {
        var clips = await Decode(VideoFiles(options.VideosFolder), options, cancellationToken);
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
        var start = DateTimeOffset.UtcNow;
        var cameras = clips.Select(c => (c.Stream, Live(c.Frames, start, cancellationToken))).ToList();
        VideoPublishSummary published = null!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var sent = ctx.AddTask("frames published (real time)", maxValue: clips.Sum(c => c.Frames.Count));
                var predicted = ctx.AddTask("predictions received", maxValue: clips.Sum(c => Math.Max(1, (c.Frames.Count - pipeline.WindowFrames) / pipeline.HopFrames + 1)));
                var progress = new Progress<VideoPublishProgress>(p => sent.Value = Math.Min(p.Frames, sent.MaxValue));
                var publishing = VideoPublisher.PublishAsync(harness.Producer, kafka.InputTopics[0], cameras, 85, progress, cancellationToken);
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
        var (rows, videos) = await Annotate(clips, recorder, options, cancellationToken);
        var sheet = Path.Combine(options.OutDir, "contact-sheet.png");
        ContactSheet.Write(sheet, rows, options.SheetCellWidth);
        foreach (var bitmap in rows.SelectMany(r => r.Frames)) bitmap.Dispose();
        var timeline = Path.Combine(options.OutDir, "timeline.html");
        TimelineReport.Write(timeline, "streaming demo --video: what was recognized in each camera stream",
            clips.Select(c => recorder.Timeline(c.Stream, c.Frames.Count, options.FramesPerSecond, options.Lead)).ToList());

        Summarize(clips, recorder, service.Published, service.DeadLettered, published, options.OutDir);
        AnsiConsole.MarkupLine("outputs:");
        foreach (var path in videos.Append(sheet).Append(timeline)) AnsiConsole.MarkupLine($"  [link]{Markup.Escape(Path.GetFullPath(path))}[/]");
        return 0;
    }

    static List<string> VideoFiles(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"demo --video: the videos folder {Path.GetFullPath(folder)} does not exist; pass --data <shared data folder> (it holds videos/) or set STREAMING_DATA.");
        var files = Directory.GetFiles(folder).Where(f => VideoExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"demo --video: no video files ({string.Join(", ", VideoExtensions)}) in {Path.GetFullPath(folder)}.");
    }

    /// <summary>
    /// Each clip decoded once, before the replay, at the demo's size and frame rate: a camera hands over frames it has
    /// already captured, so decoding a 1080p file is no part of the service's budget; the frames also feed the annotation.
    /// </summary>
    static async Task<List<Clip>> Decode(IReadOnlyList<string> files, CameraDemoOptions options, CancellationToken cancellationToken)
    {
        var clips = new List<Clip>();
        var sourceOptions = new VideoSourceOptions { Height = options.Height, FramesPerSecond = options.FramesPerSecond, Speed = 0 };
        await AnsiConsole.Status().StartAsync("decoding the clips", async ctx =>
        {
            foreach (var file in files)
            {
                var stream = Path.GetFileNameWithoutExtension(file);
                ctx.Status($"decoding {Markup.Escape(Path.GetFileName(file))}");
                var frames = new List<CapturedFrame>();
                await foreach (var frame in new VideoFrameSource(VideoSourceAddress.Parse(file), stream, sourceOptions).ReadAsync(cancellationToken)) frames.Add(frame);
                clips.Add(new Clip(stream, frames));
            }
        });
        return clips;
    }

    /// <summary>The frames as a live camera sends them: each at its time in the clip after <paramref name="start"/>, stamped with the moment it is sent.</summary>
    static async IAsyncEnumerable<CapturedFrame> Live(IReadOnlyList<CapturedFrame> frames, DateTimeOffset start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var frame in frames)
        {
            var wait = start + (frame.CaptureTime - frames[0].CaptureTime) - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            yield return frame with { CaptureTime = DateTimeOffset.UtcNow };
        }
    }

    /// <summary>
    /// Draws on every frame of each clip the latest prediction the viewer had for it (keypoints and skeleton of the
    /// window's last frame, the recognized action and its probability), encodes the frames to &lt;stream&gt;.mp4, and keeps
    /// a few evenly spaced ones for the contact sheet.
    /// </summary>
    static async Task<(List<ContactSheetRow> Rows, List<string> Videos)> Annotate(IReadOnlyList<Clip> clips, CameraDemoRecorder recorder, CameraDemoOptions options,
        CancellationToken cancellationToken)
    {
        var rows = new List<ContactSheetRow>();
        var videos = new List<string>();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                foreach (var clip in clips)
                {
                    var task = ctx.AddTask($"annotating {Markup.Escape(clip.Stream)}.mp4", maxValue: clip.Frames.Count);
                    var overlay = recorder.Overlay(clip.Stream);
                    var picks = Enumerable.Range(0, options.SheetColumns).Select(i => (int)((i + 0.5) * clip.Frames.Count / options.SheetColumns)).ToHashSet();
                    var sampled = new List<SKBitmap>();
                    var path = Path.Combine(options.OutDir, clip.Stream + ".mp4");
                    IEnumerable<SKBitmap> Annotated()
                    {
                        for (var i = 0; i < clip.Frames.Count; i++)
                        {
                            var frame = clip.Frames[i];
                            var prediction = overlay(frame.Sequence);
                            var bitmap = PoseOverlay.Draw(frame.Image, prediction?.LastFrame?.Keypoints, Caption(prediction));
                            if (picks.Contains(i)) sampled.Add(bitmap.Copy());
                            task.Increment(1);
                            yield return bitmap;
                        }
                    }
                    await AnnotatedVideoWriter.WriteAsync(path, Annotated(), options.FramesPerSecond, cancellationToken);
                    videos.Add(path);
                    rows.Add(new ContactSheetRow(string.Create(CultureInfo.InvariantCulture, $"{clip.Stream}: {clip.Frames.Count} frames at {options.FramesPerSecond:0.#} fps"), sampled));
                }
            });
        return (rows, videos);
    }

    static string Caption(ActionPrediction? prediction) => prediction is null
        ? "waiting for the first window"
        : string.Create(CultureInfo.InvariantCulture, $"{prediction.Recognized.Label} {prediction.Recognized.Probability:0.00}");

    static void Summarize(IReadOnlyList<Clip> clips, CameraDemoRecorder recorder, long windows, long deadLettered, VideoPublishSummary published, string outDir)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("what was recognized (these clips carry no labels: no accuracy is claimed)");
        foreach (var column in new[] { "stream", "frames", "windows", "recognized (share of windows)", "mean p" }) table.AddColumn(column);
        foreach (var clip in clips)
        {
            var predictions = recorder.Of(clip.Stream).Select(r => r.Prediction).ToList();
            var shares = predictions.GroupBy(p => p.Recognized.Label).OrderByDescending(g => g.Count())
                .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {(double)g.Count() / predictions.Count:P0}"));
            table.AddRow(Markup.Escape(clip.Stream), clip.Frames.Count.ToString(CultureInfo.InvariantCulture), predictions.Count.ToString(CultureInfo.InvariantCulture),
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
