using System.CommandLine;
using Spectre.Console;
using Streaming.Cli.Replay;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Producing;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming publish</c>: replays recorded skeletons into a topic as live streams.</summary>
public static class PublishCommand
{
    public static Command Create()
    {
        var bootstrap = new Option<string>("--bootstrap-servers") { Description = "Kafka brokers (host:port,...), e.g. the address `streaming broker` or `streaming run` printed.", Required = true };
        var topic = new Option<string>("--topic") { Description = "Input topic of the service.", DefaultValueFactory = _ => new KafkaSettings().InputTopics[0] };
        var dataset = new Option<string>("--dataset") { Description = "utkinect (continuous takes), msr-action3d (short clips) or ntu (a .skeleton file given with --file).", DefaultValueFactory = _ => "utkinect" };
        var takes = new Option<string>("--takes") { Description = "utkinect: test (held-out subjects), all, or take ids such as s01_e01,s03_e02.", DefaultValueFactory = _ => "test" };
        var count = new Option<int>("--count") { Description = "msr-action3d: how many test-subject clips, one stream each.", DefaultValueFactory = _ => 10 };
        var file = new Option<string?>("--file") { Description = "ntu: the .skeleton file." };
        var speed = new Option<double>("--speed") { Description = "1 = the recording's real pace, 2 = twice as fast, 0 = as fast as possible.", DefaultValueFactory = _ => 1 };
        var data = new Option<string>("--data") { Description = "The shared data folder.", DefaultValueFactory = _ => DataFolder.Default() };
        dataset.AcceptOnlyFromAmong(ReplayCatalog.Datasets);
        var command = new Command("publish",
            "Replays recorded skeletons into a Kafka topic as concurrent live streams (one per recording, keyed by stream id), in the skeleton JSON " +
            "contract (schemas/skeleton-frame.v1.schema.json), stamped with the time each frame is sent.")
        {
            bootstrap, topic, dataset, takes, count, file, speed, data,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var origin = DateTimeOffset.UnixEpoch;
            string root = parse.GetValue(data)!;
            var streams = parse.GetValue(dataset) switch
            {
                "utkinect" => ReplayCatalog.UtKinect(Path.Combine(root, "utkinect-action3d"), parse.GetValue(takes)!, origin),
                "msr-action3d" => ReplayCatalog.MsrAction3D(Path.Combine(root, "msr-action3d"), parse.GetValue(count), origin),
                _ => [ReplayCatalog.Ntu(parse.GetValue(file) ?? throw new ArgumentException("publish --dataset ntu needs --file <path.skeleton>."), origin)],
            };
            return Publish(parse.GetValue(bootstrap)!, parse.GetValue(topic)!, streams, origin, parse.GetValue(speed), cancellationToken);
        });
        return command;
    }

    static async Task<int> Publish(string bootstrap, string topic, IReadOnlyList<RecordedStream> streams, DateTimeOffset origin, double speed, CancellationToken cancellationToken)
    {
        long total = streams.Sum(s => s.Frames.Count);
        AnsiConsole.MarkupLine($"publishing {streams.Count} streams, {total} frames, to [bold]{Markup.Escape(topic)}[/] at {Markup.Escape(bootstrap)}");
        using var sink = new KafkaSink(new KafkaSettings { BootstrapServers = bootstrap }, bootstrap);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("frames", maxValue: total);
                await ReplayPublisher.PublishAsync(sink, topic, streams.Select(s => s.Frames).ToList(), origin, speed,
                    new Commands.InlineProgress<long>(n => task.Value = n), cancellationToken);
            });
        AnsiConsole.MarkupLine($"[green]{total} frames acknowledged by the broker[/]");
        return 0;
    }
}
