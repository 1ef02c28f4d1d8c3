using System.Globalization;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Streaming.Cli.Bench;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Topics;
using Streaming.Pipeline.Batching;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.Demo;
using Streaming.Service.Harness;
using Streaming.Service.Hosting;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;

namespace Streaming.Cli.Commands;

/// <summary>What `streaming demo --anticipation` replays and how it scores.</summary>
public sealed record AnticipationDemoOptions(string Anticipator, string Videos, double Fps, int EveryFrames, double ActivitySeconds,
    IReadOnlyList<double> Moments, double Beta, string OutDir);

/// <summary>
/// <c>streaming demo --anticipation</c>: held-out 50 Salads videos' ground-truth labels replayed as action-label streams
/// through the embedded broker into the service with an ActionLLM checkpoint, a viewer of the output topic, and a timeline
/// of what was anticipated at several moments against what then happened.
/// </summary>
public static class AnticipationDemo
{
    public static async Task<int> Run(string root, AnticipationDemoOptions options, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(options.Anticipator, Models.Anticipation.ActionLlmCheckpoint.WeightsFileName)))
            throw new FileNotFoundException($"demo --anticipation needs an ActionLLM checkpoint in {Path.GetFullPath(options.Anticipator)}; make one with " +
                $"`streaming train anticipator --split 1 --out {options.Anticipator}` (split 1 holds out the videos replayed here; about 4 minutes on 2 cores, " +
                "or 40 s with --epochs 3 --lm-steps 100) or pass --anticipator <folder>.");
        var activities = ReplayCatalog.FiftySalads(root, options.Videos, DateTimeOffset.UnixEpoch, options.Fps, options.EveryFrames);
        var kafka = new KafkaSettings { InputTopics = [StreamingTopics.ActionLabels.Name] };
        // The replay runs as fast as the model goes: Block backpressure, so no window is dropped.
        var pipeline = new PipelineSettings
        {
            Input = PipelineInput.ActionLabels, Anticipator = options.Anticipator, ActivitySeconds = options.ActivitySeconds, Backpressure = BackpressurePolicy.Block,
        };
        var model = AnticipatorFolder.Load(options.Anticipator, TimeSpan.FromSeconds(options.ActivitySeconds));
        long events = activities.Sum(a => a.Events.Count);

        using var logging = ConsoleLogging.Create(LogLevel.Warning);
        var recorder = new AnticipationRecorder(activities, options.Fps);
        using var harness = new ServiceHarness(kafka, pipeline, model, logging, (prediction, _) => recorder.Add(prediction));
        var service = harness.Service;
        AnsiConsole.MarkupLine($"[bold]streaming demo --anticipation[/]: embedded Kafka at {harness.BootstrapServers}, model {Markup.Escape(model.Id)}, " +
            $"{activities.Count} 50 Salads videos as {events} action events, activity length {options.ActivitySeconds.ToString(CultureInfo.InvariantCulture)} s");
        await AnsiConsole.Status().StartAsync("waiting for the service and the viewer to join their consumer groups", _ =>
            harness.Ready.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        recorder.Origin = await ReplayPublisher.PublishAsync(harness.Producer, kafka.InputTopics[0], activities.Select(a => a.Events).ToList(), DateTimeOffset.UnixEpoch, 0, null, cancellationToken);
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("events anticipated from", maxValue: events);
                // Every event ends in one prediction (one event per window) or the dead-letter topic; the viewer sees every prediction.
                while (!cancellationToken.IsCancellationRequested && (service.Published + service.DeadLettered < events || recorder.Count < service.Published))
                {
                    await Task.Delay(250, CancellationToken.None);
                    task.Value = service.Published + service.DeadLettered;
                }
                task.Value = events;
            });
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"{service.Published} predictions in {clock.Elapsed.TotalSeconds:0.0} s ({service.Published / clock.Elapsed.TotalSeconds:0.0}/s), {service.DeadLettered} events dead-lettered"));
        return Summarize(recorder.Timelines(options.Moments, options.Beta), options, service);
    }

    static int Summarize(IReadOnlyList<AnticipationTimeline> timelines, AnticipationDemoOptions options, StreamingService service)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(string.Create(CultureInfo.InvariantCulture,
            $"anticipation accuracy over the next {options.Beta:0%} of each video (frames whose anticipated action happened), by moment"));
        table.AddColumn("video");
        foreach (var m in options.Moments) table.AddColumn(new TableColumn(m.ToString("0%", CultureInfo.InvariantCulture)).RightAligned());
        foreach (var t in timelines)
            table.AddRow([Markup.Escape(t.Stream), .. options.Moments.Select(m => Percent(t.Moments.FirstOrDefault(x => x.Fraction == m)?.Accuracy))]);
        var byMoment = options.Moments.Select(m => timelines.SelectMany(t => t.Moments).Where(x => x.Fraction == m && !double.IsNaN(x.Accuracy)).Select(x => x.Accuracy).DefaultIfEmpty(double.NaN).Average()).ToList();
        table.AddRow(["[bold]mean[/]", .. byMoment.Select(a => $"[bold]{Percent(a)}[/]")]);
        AnsiConsole.Write(table);
        var all = timelines.SelectMany(t => t.Moments).Select(m => m.Accuracy).Where(a => !double.IsNaN(a)).DefaultIfEmpty(double.NaN).Average();
        AnsiConsole.MarkupLine($"[bold]mean anticipation accuracy:[/] {Percent(all)} over {timelines.Sum(t => t.Moments.Count)} moments");

        Directory.CreateDirectory(options.OutDir);
        var timeline = Path.Combine(options.OutDir, "anticipation.html");
        TimelineReport.Write(timeline, "streaming demo --anticipation: 50 Salads held-out videos, ActionLLM", timelines);
        var results = new List<BenchResult> { new($"demo anticipation accuracy beta={options.Beta.ToString(CultureInfo.InvariantCulture)}", "%", 100 * all) };
        results.AddRange(options.Moments.Select((m, i) => new BenchResult(
            string.Create(CultureInfo.InvariantCulture, $"demo anticipation accuracy alpha={m} beta={options.Beta}"), "%", 100 * byMoment[i])));
        results.Add(new BenchResult("demo predictions", "count", service.Published));
        results.Add(new BenchResult("demo dead-lettered records", "count", service.DeadLettered));
        ResultsFile.Write(Path.Combine(options.OutDir, "anticipation-results.json"), "streaming demo --anticipation", results);
        AnsiConsole.MarkupLine($"timeline: [link]{Markup.Escape(Path.GetFullPath(timeline))}[/]");
        return 0;
    }

    static string Percent(double? value) => value is { } v && !double.IsNaN(v) ? v.ToString("P1", CultureInfo.InvariantCulture) : "-";
}
