using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Rendering;
using Streaming.Cli.Bench;
using Streaming.Kafka.Configuration;
using Streaming.Pipeline.Inference;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.Demo;
using Streaming.Service.Harness;
using Streaming.Service.Hosting;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;

namespace Streaming.Cli.Commands;

/// <summary>
/// <c>streaming demo</c>: the whole product on one machine with no infrastructure: an embedded Kafka broker, the
/// held-out UTKinect takes (or MSR Action3D sequences) replayed as concurrent live skeleton streams, the service with the
/// bundled models, and a downstream viewer that shows the rolling predictions, then scores them against the ground truth.
/// </summary>
public static class DemoCommand
{
    /// <summary>
    /// MSR Action3D windows: 8 frames (0.53 s at 15 fps; the shortest test clip has 13), one every 2 frames (0.13 s). The MSR
    /// models (LLM-AR, the MLP) see the take so far, so a clip's last window sees all of it but at most its last frame.
    /// </summary>
    public const int MsrWindowFrames = 8, MsrHopFrames = 2;

    /// <summary>
    /// The first frames of a replay wait for the producers to connect to each partition's leader and get their producer
    /// ids (up to 1.5 s on the mock cluster; `bench pipeline` leaves them out too). The MSR replay is short, so its summary
    /// also gives the latency of windows ending after this.
    /// </summary>
    static readonly TimeSpan ProducerWarmup = TimeSpan.FromSeconds(2);

    /// <summary>What a demo replays, through which model, and whether its streams are single-action clips scored as such.</summary>
    sealed record DemoReplay(string Title, IReadOnlyList<RecordedStream> Streams, IActionModel Model, PipelineSettings Pipeline, bool Clips);

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The shared data folder that holds utkinect-action3d/, msr-action3d/, 50salads/ and videos/ ($STREAMING_DATA, else the nearest shared/data above the working directory).", DefaultValueFactory = _ => DataFolder.Default() };
        var dataset = new Option<string>("--dataset") { Description = "utkinect: the held-out UTKinect takes with LLM-AR and its anticipator (samples/llm-ar). msr-action3d: held-out (even-subject) MSR Action3D sequences with LLM-AR (samples/llm-ar-msr).", DefaultValueFactory = _ => "utkinect" };
        dataset.AcceptOnlyFromAmong("utkinect", "msr-action3d");
        var model = new Option<string?>("--model") { Description = $"Skeleton model folder, as `streaming run --model` takes (LLM-AR, baseline or MLP): default {UtKinectModel} (`streaming train llm-ar`) for utkinect, {MsrModel} (`streaming train llm-ar --dataset msr-action3d`) for msr-action3d, {PipelineSettings.DefaultFrameModel} (2-D, coco17) for --video." };
        var perAction = new Option<int>("--per-action") { Description = "msr-action3d: sequences of each of the 20 actions to replay (of different test subjects).", DefaultValueFactory = _ => 2 };
        var stagger = new Option<double>("--stagger") { Description = "msr-action3d: seconds between the starts of consecutive sequences (0: all at once), so that they overlap as live streams that begin at different moments.", DefaultValueFactory = _ => 0.2 };
        var takes = new Option<string>("--takes") { Description = "UTKinect takes to replay: test (the 10 of the held-out subjects), all, or ids such as s01_e01,s03_e02.", DefaultValueFactory = _ => "test" };
        var speed = new Option<double>("--speed") { Description = "Replay pace: 1 is real time (about 50 s for the UTKinect takes, 12 s for the MSR sequences); 2 halves it (durations the anticipator expects are in real seconds, so it then anticipates too late).", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Folder for timeline.html and results.json (anticipation.html with --anticipation): default out/demo, out/demo/msr-action3d for msr-action3d, out/demo/video for --video." };
        var lead = new Option<double>("--lead") { Description = "Seconds ahead at which anticipation is scored and drawn.", DefaultValueFactory = _ => 2 };
        var anticipation = new Option<bool>("--anticipation") { Description = "Instead: replay held-out 50 Salads videos' labels as action-label streams into the service with ActionLLM (--anticipator) and draw what it anticipated at several moments against what then happened (out/demo/anticipation.html)." };
        var anticipator = new Option<string>("--anticipator") { Description = "--anticipation: the ActionLLM checkpoint folder (`streaming train anticipator --split 1`).", DefaultValueFactory = _ => Path.Combine("samples", "anticipator") };
        var videos = new Option<string>("--videos") { Description = "--anticipation: 50 Salads videos to replay: test (split 1's 10 test videos), or names such as rgb-01-1,rgb-02-2.", DefaultValueFactory = _ => "test" };
        var every = new Option<int>("--every") { Description = "--anticipation: an event at every label change and every N frames (30 fps) in between.", DefaultValueFactory = _ => 300 };
        var activity = new Option<double>("--activity-seconds") { Description = "--anticipation: ActionLLM's activity length in seconds.", DefaultValueFactory = _ => new PipelineSettings().ActivitySeconds };
        var moments = new Option<string>("--moments") { Description = "--anticipation: the moments (fractions of each video) at which the anticipation is drawn and scored.", DefaultValueFactory = _ => "0.2,0.3,0.5,0.7" };
        var video = new Option<bool>("--video") { Description = "Instead: replay the clips of <data>/videos (demo.mp4, demo_skeleton.mp4, the NTU clip) in real time as live camera streams through the service (pose by --pose-model, recognition by --model, default samples/llm-ar-2d) and write an annotated video per stream, a contact sheet (contact-sheet.png) and timeline.html into --out (default out/demo/video). The clips have no labels: it reports what was recognized, not an accuracy." };
        var poseModel = new Option<string>("--pose-model") { Description = "--video: lightning or thunder (MoveNet, installed by scripts/setup.sh) or a COCO-17 pose model's .onnx file.", DefaultValueFactory = _ => new VideoSettings().PoseModel };
        var height = new Option<int>("--height") { Description = "--video: frames are scaled to this height (aspect kept) before publishing, as `streaming publish --height` does; every pixel costs JPEG and pose time on 2 cores.", DefaultValueFactory = _ => 240 };
        var fps = new Option<double>("--fps") { Description = "--video: the cameras' frame rate (ffmpeg resamples each clip); 15 keeps pose on every frame of the three cameras within 2 shared cores.", DefaultValueFactory = _ => 15 };
        var sheetColumns = new Option<int>("--sheet-columns") { Description = "--video: frames per clip on the contact sheet, evenly spaced.", DefaultValueFactory = _ => 4 };
        var sheetWidth = new Option<int>("--sheet-cell-width") { Description = "--video: width in pixels of each frame on the contact sheet.", DefaultValueFactory = _ => 144 };
        var beta = new Option<double>("--beta") { Description = "--anticipation: the fraction of the video after each moment that is scored.", DefaultValueFactory = _ => 0.2 };
        var command = new Command("demo",
            "Runs everything in one process: an embedded Kafka broker, UTKinect-Action3D takes (or MSR Action3D sequences, --dataset) of held-out " +
            "subjects replayed as live skeleton streams, the service with the bundled models, and a viewer of the output topic. Shows rolling " +
            "predictions live, then prints recognition (and anticipation) accuracy against the ground truth and end-to-end latency, and writes an " +
            "HTML timeline per stream. --video replays camera clips instead, --anticipation action-label streams.")
        {
            data, dataset, model, takes, perAction, stagger, speed, output, lead, anticipation, anticipator, videos, every, activity, moments, beta,
            video, poseModel, height, fps, sheetColumns, sheetWidth,
        };
        command.SetAction((parse, cancellationToken) => parse.GetValue(video)
            ? CameraDemo.Run(new CameraDemoOptions(Path.Combine(parse.GetValue(data)!, "videos"), parse.GetValue(model) ?? PipelineSettings.DefaultFrameModel, parse.GetValue(poseModel)!,
                Positive(parse.GetValue(height), "--height"), parse.GetValue(fps) is > 0 and <= 120 and var f ? f : throw new ArgumentOutOfRangeException("--fps", "demo --fps must be in (0, 120]."), Positive(parse.GetValue(sheetColumns), "--sheet-columns"), Positive(parse.GetValue(sheetWidth), "--sheet-cell-width"),
                parse.GetValue(lead), parse.GetValue(output) ?? Path.Combine("out", "demo", "video")), cancellationToken)
            : parse.GetValue(anticipation)
            ? AnticipationDemo.Run(Path.Combine(parse.GetValue(data)!, "50salads"), new AnticipationDemoOptions(parse.GetValue(anticipator)!, parse.GetValue(videos)!, 30,
                parse.GetValue(every), parse.GetValue(activity), Fractions(parse.GetValue(moments)!), parse.GetValue(beta), OutputFolder(parse.GetValue(output), parse.GetValue(dataset)!)), cancellationToken)
            : Run(parse.GetValue(dataset) == "msr-action3d"
                ? Msr(Path.Combine(parse.GetValue(data)!, "msr-action3d"), parse.GetValue(model) ?? MsrModel, parse.GetValue(perAction), parse.GetValue(stagger))
                : UtKinect(Path.Combine(parse.GetValue(data)!, "utkinect-action3d"), parse.GetValue(model) ?? UtKinectModel, parse.GetValue(takes)!),
            parse.GetValue(speed), OutputFolder(parse.GetValue(output), parse.GetValue(dataset)!), parse.GetValue(lead), cancellationToken));
        return command;
    }

    static string OutputFolder(string? given, string dataset) => given ?? (dataset == "msr-action3d" ? Path.Combine("out", "demo", "msr-action3d") : Path.Combine("out", "demo"));

    static int Positive(int value, string option) => value > 0 ? value : throw new ArgumentOutOfRangeException(option, $"demo {option} must be positive, got {value}.");

    static double[] Fractions(string text)
    {
        var fractions = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(f => double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is > 0 and < 1 ? v
                : throw new ArgumentException($"demo --moments: '{f}' is not a fraction in (0, 1).")).ToArray();
        return fractions.Length > 0 ? fractions : throw new ArgumentException("demo --moments: no moments given.");
    }

    /// <summary>The demos' models: LLM-AR trained on each dataset by `streaming train llm-ar`.</summary>
    static readonly string UtKinectModel = Path.Combine("samples", "llm-ar"), MsrModel = Path.Combine("samples", "llm-ar-msr");

    static DemoReplay UtKinect(string root, string modelFolder, string takes)
    {
        var settings = new PipelineSettings { Model = modelFolder };
        var model = SkeletonModelFolder.Load(modelFolder, TimeSpan.FromSeconds(settings.HorizonSeconds));
        var pipeline = settings.ForModel(model);
        return new DemoReplay("UTKinect-Action3D held-out takes", ReplayCatalog.UtKinect(root, takes, DateTimeOffset.UnixEpoch), model, pipeline, Clips: false);
    }

    static DemoReplay Msr(string root, string modelFolder, int perAction, double stagger)
    {
        if (!(stagger >= 0)) throw new ArgumentOutOfRangeException(nameof(stagger), $"demo --stagger must be 0 or positive, got {stagger}.");
        var pipeline = new PipelineSettings { Model = modelFolder, WindowFrames = MsrWindowFrames, HopFrames = MsrHopFrames };
        var model = SkeletonModelFolder.Load(modelFolder, TimeSpan.FromSeconds(pipeline.HorizonSeconds));
        return new DemoReplay("MSR Action3D held-out sequences", ReplayCatalog.MsrAction3DPerAction(root, perAction, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(stagger)), model, pipeline, Clips: true);
    }

    static async Task<int> Run(DemoReplay demo, double speed, string outDir, double lead, CancellationToken cancellationToken)
    {
        if (!(speed > 0)) throw new ArgumentOutOfRangeException(nameof(speed), $"demo --speed must be positive, got {speed}.");
        var (streams, model, pipeline) = (demo.Streams, demo.Model, demo.Pipeline);
        using var logging = ConsoleLogging.Create(LogLevel.Warning);
        var recorder = new DemoRecorder(streams, speed, lead);
        using var harness = new ServiceHarness(new KafkaSettings(), pipeline, model, logging, recorder.Add);
        var service = harness.Service;
        AnsiConsole.MarkupLine($"[bold]streaming demo[/]: embedded Kafka at {harness.BootstrapServers}, model {Markup.Escape(model.Id)}, " +
            $"{streams.Count} streams ({Markup.Escape(demo.Title)}) at {speed.ToString(CultureInfo.InvariantCulture)}x, " +
            $"windows of {pipeline.WindowFrames} frames every {pipeline.HopFrames}");
        // Live sources do not wait for consumers, but a replay can: start once both consumer groups have formed.
        await AnsiConsole.Status().StartAsync("waiting for the service and the viewer to join their consumer groups", _ =>
            harness.Ready.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken));
        var replayStart = recorder.ReplayStart = DateTimeOffset.UtcNow;

        var replay = ReplayPublisher.PublishAsync(harness.Producer, harness.Kafka.InputTopics[0], streams.Select(s => s.Frames).ToList(), DateTimeOffset.UnixEpoch, speed, null, cancellationToken);
        await AnsiConsole.Live(Render(streams, recorder, service, 0)).AutoClear(false).StartAsync(async ctx =>
        {
            double total = (streams.Max(s => s.Frames[^1].CaptureTime) - streams.Min(s => s.Frames[0].CaptureTime)).TotalSeconds / speed;
            // Until the replay is done and no prediction has arrived for two seconds.
            long seen = -1;
            var quietSince = DateTimeOffset.UtcNow;
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(250, CancellationToken.None);
                ctx.UpdateTarget(Render(streams, recorder, service, Math.Min(1, (DateTimeOffset.UtcNow - replayStart).TotalSeconds / total)));
                if (recorder.Count != seen) (seen, quietSince) = (recorder.Count, DateTimeOffset.UtcNow);
                if (replay.IsCompleted && DateTimeOffset.UtcNow - quietSince > TimeSpan.FromSeconds(2)) break;
            }
        });
        await replay;
        return demo.Clips ? SummarizeClips(demo, recorder, service, outDir) : Summarize(demo, recorder, service, outDir);
    }

    static IRenderable Render(IReadOnlyList<RecordedStream> streams, DemoRecorder recorder, StreamingService service, double progress)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(string.Create(CultureInfo.InvariantCulture, $"live predictions: {progress:P0} replayed, {service.Published} published, {service.DeadLettered} dead-lettered"));
        foreach (var column in new[] { "stream", "ground truth", "recognized", "p", "anticipated next", "in", "windows" }) table.AddColumn(column);
        foreach (var s in streams)
        {
            var outputs = recorder.Of(s.Id);
            if (outputs.Count == 0)
            {
                table.AddRow(Markup.Escape(s.Id), "", "[grey]waiting[/]", "", "", "", "0");
                continue;
            }
            var last = outputs[^1].Prediction;
            var truth = recorder.TruthAt(s.Id, recorder.RecordingTime(s.Id, last.WindowEnd)) ?? "-";
            var next = last.Future.FirstOrDefault(f => f.Label != last.Recognized.Label);
            string colour = truth == "-" ? "grey" : truth == last.Recognized.Label ? "green" : "red";
            table.AddRow(Markup.Escape(s.Id), Markup.Escape(truth), $"[{colour}]{Markup.Escape(last.Recognized.Label)}[/]",
                last.Recognized.Probability.ToString("0.00", CultureInfo.InvariantCulture),
                next is null ? "" : Markup.Escape(next.Label),
                next is null ? "" : ((next.Start - last.WindowEnd).TotalSeconds).ToString("0.0 s", CultureInfo.InvariantCulture),
                outputs.Count.ToString(CultureInfo.InvariantCulture));
        }
        return table;
    }

    static int Summarize(DemoReplay demo, DemoRecorder recorder, StreamingService service, string outDir)
    {
        var streams = demo.Streams;
        var table = new Table().Border(TableBorder.Rounded).Title("accuracy against the ground truth (windows ending in a labelled action)");
        foreach (var column in new[] { "stream", "windows", "recognized", "anticipated " + recorder.Lead.ToString("0.#", CultureInfo.InvariantCulture) + " s ahead" })
            table.AddColumn(new TableColumn(column).RightAligned());
        int scored = 0, right = 0, aScored = 0, aRight = 0;
        foreach (var s in streams)
        {
            var (n, r) = recorder.Recognition(s.Id);
            var (an, ar) = recorder.Anticipation(s.Id);
            (scored, right, aScored, aRight) = (scored + n, right + r, aScored + an, aRight + ar);
            table.AddRow(Markup.Escape(s.Id), n.ToString(CultureInfo.InvariantCulture), Percent(r, n), Percent(ar, an));
        }
        table.AddRow("[bold]all[/]", scored.ToString(CultureInfo.InvariantCulture), $"[bold]{Percent(right, scored)}[/]", $"[bold]{Percent(aRight, aScored)}[/]");
        AnsiConsole.Write(table);

        return Finish(demo, recorder, service, outDir, anticipation: true,
        [
            new("demo recognition accuracy", "%", 100.0 * right / Math.Max(scored, 1)),
            new($"demo anticipation accuracy lead={recorder.Lead.ToString(CultureInfo.InvariantCulture)}s", "%", 100.0 * aRight / Math.Max(aScored, 1)),
        ]);
    }

    /// <summary>
    /// Single-action clips: each window against its clip's action, and each clip by its last window, which has seen the
    /// whole clip (as <c>streaming train mlp</c> scores its test sequences). Nothing is anticipated after an isolated clip.
    /// </summary>
    static int SummarizeClips(DemoReplay demo, DemoRecorder recorder, StreamingService service, string outDir)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("recognition against each sequence's action");
        foreach (var column in new[] { "stream", "action", "frames", "windows", "windows right", "last window" }) table.AddColumn(column);
        int windows = 0, windowsRight = 0, clips = 0, clipsRight = 0;
        foreach (var s in demo.Streams)
        {
            var truth = s.Truth[0].Label;
            var outputs = recorder.Of(s.Id).OrderBy(r => r.Prediction.WindowEnd).ToList();
            int right = outputs.Count(r => r.Prediction.Recognized.Label == truth);
            var last = outputs.Count == 0 ? null : outputs[^1].Prediction.Recognized.Label;
            (windows, windowsRight, clips) = (windows + outputs.Count, windowsRight + right, clips + 1);
            if (last == truth) clipsRight++;
            table.AddRow(Markup.Escape(s.Id), Markup.Escape(truth), s.Frames.Count.ToString(CultureInfo.InvariantCulture), outputs.Count.ToString(CultureInfo.InvariantCulture),
                Percent(right, outputs.Count), last is null ? "[grey]none[/]" : $"[{(last == truth ? "green" : "red")}]{Markup.Escape(last)}[/]");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]sequences recognized[/] (by the last window, the whole clip): {clipsRight}/{clips} = [bold]{Percent(clipsRight, clips)}[/]; " +
            $"windows (the clip so far): {windowsRight}/{windows} = {Percent(windowsRight, windows)}; no anticipation (isolated clips)"));
        return Finish(demo, recorder, service, outDir, anticipation: false,
        [
            new("demo msr-action3d sequence accuracy", "%", 100.0 * clipsRight / Math.Max(clips, 1)),
            new("demo msr-action3d window accuracy", "%", 100.0 * windowsRight / Math.Max(windows, 1)),
            new("demo msr-action3d sequences", "count", clips),
        ]);
    }

    /// <summary>Latency percentiles, the timeline and results.json (the accuracy figures first).</summary>
    static int Finish(DemoReplay demo, DemoRecorder recorder, StreamingService service, string outDir, bool anticipation, List<BenchResult> results)
    {
        var received = demo.Streams.SelectMany(s => recorder.Of(s.Id)).ToList();
        var latencies = received.Select(r => r.LatencyMs).Order().ToArray();
        double P(double q) => Percentile(latencies, q);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"end-to-end latency (last frame captured -> prediction received downstream): p50 {P(0.5):0} ms, p95 {P(0.95):0} ms, p99 {P(0.99):0} ms over {latencies.Length} predictions; " +
            $"{service.Published} published, {service.DeadLettered} input records dead-lettered"));
        if (demo.Clips)
        {
            var warm = received.Where(r => r.Prediction.WindowEnd - recorder.ReplayStart >= ProducerWarmup).Select(r => r.LatencyMs).Order().ToArray();
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"after the first {ProducerWarmup.TotalSeconds:0} s (producers connecting to the embedded broker): p50 {Percentile(warm, 0.5):0} ms, p95 {Percentile(warm, 0.95):0} ms, " +
                $"p99 {Percentile(warm, 0.99):0} ms over {warm.Length} predictions"));
            results.AddRange(
            [
                new("demo latency after warm-up p50", "ms", Percentile(warm, 0.5)),
                new("demo latency after warm-up p95", "ms", Percentile(warm, 0.95)),
                new("demo latency after warm-up p99", "ms", Percentile(warm, 0.99)),
            ]);
        }

        Directory.CreateDirectory(outDir);
        var timeline = Path.Combine(outDir, "timeline.html");
        TimelineReport.Write(timeline, "streaming demo: " + demo.Title, recorder.Timelines(), anticipation);
        results.AddRange(
        [
            new("demo latency p50", "ms", P(0.5)),
            new("demo latency p95", "ms", P(0.95)),
            new("demo latency p99", "ms", P(0.99)),
            new("demo predictions", "count", latencies.Length),
            new("demo dead-lettered records", "count", service.DeadLettered),
        ]);
        ResultsFile.Write(Path.Combine(outDir, "results.json"), "streaming demo", results);
        AnsiConsole.MarkupLine($"timeline: [link]{Markup.Escape(Path.GetFullPath(timeline))}[/]");
        return 0;
    }

    static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    static string Percent(int right, int total) => total == 0 ? "-" : ((double)right / total).ToString("P1", CultureInfo.InvariantCulture);
}
