using Streaming.Kafka.Topics;
using System.CommandLine;
using Spectre.Console;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Producing;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming publish</c>: replays recorded skeletons into a topic as live streams.</summary>
public static class PublishCommand
{
    public static Command Create()
    {
        var bootstrap = new Option<string>("--bootstrap-servers") { Description = "Kafka brokers (host:port,...), e.g. the address `streaming broker` or `streaming run` printed.", Required = true };
        var topic = new Option<string?>("--topic") { Description = $"Input topic of the service (default {StreamingTopics.Skeletons.Name}, or {StreamingTopics.ActionLabels.Name} for 50salads)." };
        var dataset = new Option<string>("--dataset") { Description = "utkinect (continuous takes), msr-action3d (short clips), ntu (a .skeleton file given with --file), or 50salads (ground-truth labels as action events).", DefaultValueFactory = _ => "utkinect" };
        var takes = new Option<string>("--takes") { Description = "utkinect: test (held-out subjects), all, or take ids such as s01_e01,s03_e02.", DefaultValueFactory = _ => "test" };
        var count = new Option<int>("--count") { Description = "msr-action3d: how many test-subject clips, one stream each.", DefaultValueFactory = _ => 10 };
        var file = new Option<string?>("--file") { Description = "ntu: the .skeleton file." };
        var videos = new Option<string>("--videos") { Description = "50salads: test (split 1's test videos), all, or names such as rgb-01-1,rgb-02-2.", DefaultValueFactory = _ => "test" };
        var fps = new Option<double>("--fps") { Description = "50salads: frames per second of the label files (the dataset does not say; its videos are 30 fps).", DefaultValueFactory = _ => 30 };
        var every = new Option<int>("--every") { Description = "50salads: besides one event per label change, one every N frames while the action goes on (0: changes only).", DefaultValueFactory = _ => 0 };
        var speed = new Option<double>("--speed") { Description = "1 = the recording's real pace, 2 = twice as fast, 0 = as fast as possible.", DefaultValueFactory = _ => 1 };
        var data = new Option<string>("--data") { Description = "The shared data folder.", DefaultValueFactory = _ => DataFolder.Default() };
        dataset.AcceptOnlyFromAmong(ReplayCatalog.Datasets);
        var command = new Command("publish",
            "Replays recorded skeletons into a Kafka topic as concurrent live streams (one per recording, keyed by stream id), in the skeleton JSON " +
            "contract (schemas/skeleton-frame.v1.schema.json), stamped with the time each frame is sent; or 50 Salads ground-truth labels as action " +
            "events (schemas/action-event.v1.schema.json) for `streaming run --input-kind action-labels`.")
        {
            bootstrap, topic, dataset, takes, count, file, videos, fps, every, speed, data,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var origin = DateTimeOffset.UnixEpoch;
            string root = parse.GetValue(data)!;
            if (parse.GetValue(dataset) == "50salads")
            {
                var activities = ReplayCatalog.FiftySalads(Path.Combine(root, "50salads"), parse.GetValue(videos)!, origin, parse.GetValue(fps), parse.GetValue(every));
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
