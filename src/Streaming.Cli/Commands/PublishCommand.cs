using Streaming.Kafka.Topics;
using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Producing;
using Microsoft.Extensions.Logging;
using Streaming.Service.Hosting;
using Streaming.Service.Ingest;
using Streaming.Video.Ingest;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming publish</c>: replays recorded skeletons, or publishes video files and cameras, into a topic as live streams.</summary>
public static class PublishCommand
{
    public static Command Create()
    {
        var bootstrap = new Option<string>("--bootstrap-servers") { Description = "Kafka brokers (host:port,...), e.g. the address `streaming broker` or `streaming run` printed.", Required = true };
        var topic = new Option<string?>("--topic") { Description = $"Input topic of the service (default {StreamingTopics.Skeletons.Name}, {StreamingTopics.ActionLabels.Name} for 50salads, {StreamingTopics.Frames.Name} for --video)." };
        var dataset = new Option<string>("--dataset") { Description = "utkinect (continuous takes), msr-action3d (short clips), ntu (a .skeleton file given with --file), or 50salads (ground-truth labels as action events).", DefaultValueFactory = _ => "utkinect" };
        var takes = new Option<string>("--takes") { Description = "utkinect: test (held-out subjects), all, or take ids such as s01_e01,s03_e02.", DefaultValueFactory = _ => "test" };
        var count = new Option<int>("--count") { Description = "msr-action3d: how many test-subject clips, one stream each.", DefaultValueFactory = _ => 10 };
        var file = new Option<string?>("--file") { Description = "ntu: the .skeleton file." };
        var videos = new Option<string>("--videos") { Description = "50salads: test (split 1's test videos), all, or names such as rgb-01-1,rgb-02-2.", DefaultValueFactory = _ => "test" };
        var fps = new Option<double?>("--fps") { Description = "--video: resample every source to this many frames per second (ffmpeg's fps filter drops or repeats frames; default: every frame of the source). 50salads: frames per second of the label files (default 30: the dataset does not say; its videos are 30 fps)." };
        var every = new Option<int>("--every") { Description = "50salads: besides one event per label change, one every N frames while the action goes on (0: changes only).", DefaultValueFactory = _ => 0 };
        var speed = new Option<double>("--speed") { Description = "1 = the recording's real pace, 2 = twice as fast, 0 = as fast as possible (video files; cameras and streams keep their own pace).", DefaultValueFactory = _ => 1 };
        var video = new Option<string[]>("--video")
        {
            Description = "A video source to publish instead of a dataset, one stream each; repeat for more: a file (mp4, avi, mkv, ... anything ffmpeg reads), " +
                "a stream URL (rtsp://user:pass@host/path, rtmp://, srt://, udp://, tcp://, http(s)://) or a V4L2 camera (/dev/video0). Files end (or --loop); " +
                "streams and cameras run until Ctrl+C and reconnect with backoff when they drop, the frames missed meanwhile skipped in the seq header.",
        };
        var streamIds = new Option<string[]>("--stream") { Description = "--video: stream ids (message keys), one per --video in the same order (default: the file name without extension, the device name, or the URL's host and path)." };
        var width = new Option<int?>("--width") { Description = "--video: frame width in pixels; with only --width or --height the other follows the aspect ratio (default: the source's size)." };
        var height = new Option<int?>("--height") { Description = "--video: frame height in pixels." };
        var stretch = new Option<bool>("--stretch") { Description = "--video: with both --width and --height, stretch to exactly that size (default: fit inside it, keeping the aspect ratio)." };
        var quality = new Option<int>("--quality") { Description = "--video: JPEG quality, 1-100.", DefaultValueFactory = _ => 85 };
        var loop = new Option<bool>("--loop") { Description = "--video: start files over at their end until Ctrl+C; seq and capture times keep counting." };
        var reconnectDelay = new Option<double>("--reconnect-delay") { Description = "--video streams and cameras: seconds before the first reconnect; doubles after each failure in a row.", DefaultValueFactory = _ => 0.5 };
        var reconnectMaxDelay = new Option<double>("--reconnect-max-delay") { Description = "--video streams and cameras: the longest wait between reconnects, seconds.", DefaultValueFactory = _ => 30 };
        var reconnectAttempts = new Option<int>("--reconnect-attempts") { Description = "--video streams and cameras: give up after this many failed reconnects in a row (0: never give up).", DefaultValueFactory = _ => 0 };
        var stallTimeout = new Option<double>("--stall-timeout") { Description = "--video streams and cameras: seconds without a frame after which the connection counts as dead and is reopened.", DefaultValueFactory = _ => 10 };
        quality.Validators.Add(r => { if (r.GetValue(quality) is < 1 or > 100) r.AddError($"--quality must be in 1..100, got {r.GetValue(quality)}."); });
        reconnectAttempts.Validators.Add(r => { if (r.GetValue(reconnectAttempts) < 0) r.AddError("--reconnect-attempts must be 0 (never give up) or more."); });
        var data = new Option<string>("--data") { Description = "The shared data folder.", DefaultValueFactory = _ => DataFolder.Default() };
        dataset.AcceptOnlyFromAmong(ReplayCatalog.Datasets);
        var command = new Command("publish",
            "Replays recorded skeletons into a Kafka topic as concurrent live streams (one per recording, keyed by stream id), in the skeleton JSON " +
            "contract (schemas/skeleton-frame.v1.schema.json), stamped with the time each frame is sent; or 50 Salads ground-truth labels as action " +
            "events (schemas/action-event.v1.schema.json) for `streaming run --input-kind action-labels`. With --video: video files, stream URLs or " +
            $"cameras decoded by ffmpeg, one JPEG message per frame keyed by stream id, headers format, width, height, time (capture, ISO 8601) and seq, to {StreamingTopics.Frames.Name}.")
        {
            bootstrap, topic, dataset, takes, count, file, videos, fps, every, speed, data,
            video, streamIds, width, height, stretch, quality, loop, reconnectDelay, reconnectMaxDelay, reconnectAttempts, stallTimeout,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(video) is { Length: > 0 } sources)
            {
                var options = new VideoSourceOptions
                {
                    Width = parse.GetValue(width),
                    Height = parse.GetValue(height),
                    KeepAspect = !parse.GetValue(stretch),
                    FramesPerSecond = parse.GetValue(fps),
                    Speed = parse.GetValue(speed),
                    Loop = parse.GetValue(loop),
                    Reconnect = new ReconnectPolicy
                    {
                        InitialDelay = TimeSpan.FromSeconds(parse.GetValue(reconnectDelay)),
                        MaxDelay = TimeSpan.FromSeconds(parse.GetValue(reconnectMaxDelay)),
                        MaxAttempts = parse.GetValue(reconnectAttempts) is > 0 and var attempts ? attempts : null,
                    },
                    StallTimeout = TimeSpan.FromSeconds(parse.GetValue(stallTimeout)),
                };
                return PublishVideo(parse.GetValue(bootstrap)!, parse.GetValue(topic) ?? StreamingTopics.Frames.Name, sources, parse.GetValue(streamIds) ?? [], options,
                    parse.GetValue(quality), cancellationToken);
            }
            var origin = DateTimeOffset.UnixEpoch;
            string root = parse.GetValue(data)!;
            if (parse.GetValue(dataset) == "50salads")
            {
                var activities = ReplayCatalog.FiftySalads(Path.Combine(root, "50salads"), parse.GetValue(videos)!, origin, parse.GetValue(fps) ?? 30, parse.GetValue(every));
                return PublishActions(parse.GetValue(bootstrap)!, parse.GetValue(topic) ?? StreamingTopics.ActionLabels.Name, activities, origin, parse.GetValue(speed), cancellationToken);
            }
            var streams = parse.GetValue(dataset) switch
            {
                "utkinect" => ReplayCatalog.UtKinect(Path.Combine(root, "utkinect-action3d"), parse.GetValue(takes)!, origin),
                "msr-action3d" => ReplayCatalog.MsrAction3D(Path.Combine(root, "msr-action3d"), parse.GetValue(count), origin),
                _ => [ReplayCatalog.Ntu(parse.GetValue(file) ?? throw new ArgumentException("publish --dataset ntu needs --file <path.skeleton>."), origin)],
            };
            return Publish(parse.GetValue(bootstrap)!, parse.GetValue(topic) ?? StreamingTopics.Skeletons.Name, streams, origin, parse.GetValue(speed), cancellationToken);
        });
        return command;
    }

    static Task<int> Publish(string bootstrap, string topic, IReadOnlyList<RecordedStream> streams, DateTimeOffset origin, double speed, CancellationToken cancellationToken) =>
        Publish(bootstrap, topic, $"{streams.Count} streams", streams.Sum(s => s.Frames.Count), "frames", "frames",
            (sink, progress) => ReplayPublisher.PublishAsync(sink, topic, streams.Select(s => s.Frames).ToList(), origin, speed, progress, cancellationToken));

    static Task<int> PublishActions(string bootstrap, string topic, IReadOnlyList<RecordedActivity> activities, DateTimeOffset origin, double speed, CancellationToken cancellationToken) =>
        Publish(bootstrap, topic, $"{activities.Count} activities", activities.Sum(a => a.Events.Count), "action events", "events",
            (sink, progress) => ReplayPublisher.PublishAsync(sink, topic, activities.Select(a => a.Events).ToList(), origin, speed, progress, cancellationToken));

    /// <summary>Video sources as camera streams: decoded, scaled, JPEG-encoded and sent until they end or Ctrl+C; a summary line at the end.</summary>
    static async Task<int> PublishVideo(string bootstrap, string topic, IReadOnlyList<string> locations, IReadOnlyList<string> ids, VideoSourceOptions options,
        int quality, CancellationToken cancellationToken)
    {
        TopicName.Validate(topic, "--topic");
        if (ids.Count > 0 && ids.Count != locations.Count)
            throw new ArgumentException($"publish --video: {ids.Count} --stream ids for {locations.Count} --video sources; give one per source, in the same order, or none.");
        options.Validate();
        var addresses = locations.Select(VideoSourceAddress.Parse).ToList();
        var names = ids.Count > 0 ? ids : addresses.Select(a => a.DefaultStreamId).ToList();
        if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
            throw new ArgumentException($"publish --video: two sources would both be stream '{duplicate.Key}'; name them with --stream.");
        // Reconnects and gaps go to standard error as they happen; standard output keeps the progress and the summary.
        using var logging = ConsoleLogging.Create(LogLevel.Information);
        var sources = addresses.Select((a, i) => new VideoFrameSource(a, names[i], options, logging.CreateLogger("Streaming.Video"))).ToList();
        AnsiConsole.MarkupLine($"publishing {sources.Count} video stream(s) ({Markup.Escape(string.Join(", ", names))}) to [bold]{Markup.Escape(topic)}[/] at {Markup.Escape(bootstrap)}");
        using var sink = new KafkaSink(new KafkaSettings { BootstrapServers = bootstrap }, bootstrap);
        VideoPublishSummary summary = null!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var bar = ctx.AddTask("frames");
                bar.IsIndeterminate = true;
                var progress = new InlineProgress<VideoPublishProgress>(p => bar.Description = $"{p.Frames} frames, {p.Bytes / 1e6:0.0} MB");
                summary = await VideoPublisher.PublishAsync(sink, topic, sources, quality, progress, cancellationToken);
                bar.StopTask();
            });
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[green]{summary.Frames} frames ({summary.Bytes / 1e6:0.0} MB of JPEG) acknowledged by the broker in {summary.Elapsed.TotalSeconds:0.0} s: {summary.FramesPerSecond:0.0} frames/s[/]"));
        foreach (var s in sources.Where(s => s.Address.IsLive))
            AnsiConsole.MarkupLine($"{Markup.Escape(s.Stream)}: {s.Reconnects} reconnects, {s.Gaps} gaps, {s.MissedFrames} frames missed");
        return 0;
    }

    /// <summary>One replay with its progress bar: <paramref name="publish"/> sends every record, reporting how many the broker acknowledged.</summary>
    static async Task<int> Publish(string bootstrap, string topic, string recordings, long total, string records, string task,
        Func<KafkaSink, IProgress<long>, Task> publish)
    {
        AnsiConsole.MarkupLine($"publishing {recordings}, {total} {records}, to [bold]{Markup.Escape(topic)}[/] at {Markup.Escape(bootstrap)}");
        using var sink = new KafkaSink(new KafkaSettings { BootstrapServers = bootstrap }, bootstrap);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var bar = ctx.AddTask(task, maxValue: total);
                await publish(sink, new InlineProgress<long>(n => bar.Value = n));
            });
        AnsiConsole.MarkupLine($"[green]{total} {records} acknowledged by the broker[/]");
        return 0;
    }
}
