using System.Diagnostics;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Xunit.Abstractions;

namespace Streaming.Cli.Tests.Accounting;

/// <summary>
/// The issue's accounting test, on the real service: <c>streaming run</c> as a child process on the embedded broker,
/// fed live skeleton streams with malformed messages among them, (a) killed with SIGKILL mid-stream and restarted in
/// the same consumer group, (b) through a broker outage. Every input must end in a published window or in the
/// dead-letter topic with its reason; outputs repeat only as at-least-once redelivery after the kill, identified by
/// (stream, window id).
/// </summary>
[Collection(ServiceAccountingCollection.Name)]
public sealed class ServiceAccountingTests(ITestOutputHelper output)
{
    const string GroupId = "accounting";
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // The service windows with the shipped baseline's trained length (Pipeline:WindowFrames 0), 15 frames.
    readonly PipelineSettings pipeline = new() { WindowFrames = PipelineSettings.DefaultWindowFrames };

    /// <summary>
    /// Room for every window so that backpressure drops nothing. The idle timeout stays at its 30 s: an outage longer
    /// than it expires every stream's window state, and the windows across the gap are then never formed (their frames
    /// are dead-lettered as incomplete-window instead).
    /// </summary>
    static readonly Dictionary<string, string> Environment = new()
    {
        ["STREAMING_Pipeline__PerStreamCapacity"] = "64",
    };

    /// <summary>
    /// A killed member holds its partitions until its session times out: 6 s (the least a Kafka broker allows) instead
    /// of librdkafka's 45 s. (Not for the outage: a session shorter than the outage plus a heartbeat would end in a
    /// rebalance, which is a restart of its own.)
    /// </summary>
    static readonly Dictionary<string, string> ShortSession = new(Environment)
    {
        ["STREAMING_Kafka__ConsumerProperties__session.timeout.ms"] = "6000",
    };

    [Fact]
    public async Task KilledMidStreamAndRestarted_EveryInputAccounted_RepeatsOnlyAsRedelivery()
    {
        var kafka = new KafkaSettings();
        using var endpoint = KafkaEndpoint.Open(kafka);
        using var watch = new OutputWatch(endpoint.BootstrapServers, kafka.OutputTopic, kafka.EmbeddedPartitions);
        var feed = new LiveFeed();
        var clock = Stopwatch.StartNew();

        using var first = ServiceProcess.Start(endpoint.BootstrapServers, GroupId, ShortSession);
        await Ready(first);
        var feeding = feed.RunAsync(endpoint.BootstrapServers, kafka.InputTopics[0]);
        // Mid-stream: the group has committed progress (so the restart resumes from there, not from the start) and frames are still coming.
        await Until(() => OutputWatch.Committed(endpoint.BootstrapServers, GroupId, kafka.InputTopics[0], kafka.EmbeddedPartitions).Sum() > 0,
            first, "the first service's first commit", feeding);
        first.Kill();
        var killedAt = clock.Elapsed;
        var ticksAtKill = feed.Ticks;
        var outputsAtKill = watch.Count() ?? 0;
        var committedAtKill = OutputWatch.Committed(endpoint.BootstrapServers, GroupId, kafka.InputTopics[0], kafka.EmbeddedPartitions);
        output.WriteLine($"killed the first service (SIGKILL) after {outputsAtKill} predictions, {ticksAtKill} of {LiveFeed.FramesPerStream} frames per stream sent; " +
            $"the group had committed {committedAtKill.Sum()} of the input's offsets ({string.Join(", ", committedAtKill)} per partition)");
        Assert.True(ticksAtKill < LiveFeed.FramesPerStream, "the feed ended before the kill: the kill was not mid-stream");
        feed.ReleaseTail();

        using var second = ServiceProcess.Start(endpoint.BootstrapServers, GroupId, ShortSession);
        await Until(() => watch.Count() > outputsAtKill, second, "the restarted service's first prediction", feeding);
        var recovered = clock.Elapsed - killedAt;
        await feeding;
        var audit = new TopicAudit(endpoint.BootstrapServers, kafka.InputTopics[0], kafka.OutputTopic, pipeline.WindowFrames, pipeline.HopFrames);
        await UntilComplete(audit, feed, second);
        var settled = clock.Elapsed - killedAt;
        second.Kill();

        await audit.ReadAsync();
        var figures = await audit.AssertAccounted(feed, restarted: true);
        output.WriteLine($"kill and restart: {figures}");
        output.WriteLine($"kill and restart: first prediction of the restarted service {recovered.TotalSeconds:F1} s after the kill (process start and group join included), all accounted for {settled.TotalSeconds:F1} s after it");
    }

    [Fact]
    public async Task BrokerOutageMidStream_EveryInputAccountedOnce()
    {
        var kafka = new KafkaSettings();
        using var endpoint = KafkaEndpoint.Open(kafka);
        var broker = endpoint.Broker!;
        using var watch = new OutputWatch(endpoint.BootstrapServers, kafka.OutputTopic, kafka.EmbeddedPartitions);
        var feed = new LiveFeed();

        using var service = ServiceProcess.Start(endpoint.BootstrapServers, GroupId, Environment);
        await Ready(service);
        var feeding = feed.RunAsync(endpoint.BootstrapServers, kafka.InputTopics[0]);
        await Until(() => OutputWatch.Committed(endpoint.BootstrapServers, GroupId, kafka.InputTopics[0], kafka.EmbeddedPartitions).Sum() > 0,
            service, "the service's first commit", feeding);

        // The whole cluster (one broker: leader of every partition and group coordinator) goes away while frames keep coming.
        // The watch asks nothing while the broker is down: librdkafka's watermark query then outlasts its timeout.
        var outage = TimeSpan.FromSeconds(3);
        var outputsAtDown = watch.Count() ?? 0;
        broker.SetBrokerDown(1);
        var ticksAtDown = feed.Ticks;
        await Task.Delay(outage);
        broker.SetBrokerUp(1);
        var setUp = Stopwatch.StartNew();
        output.WriteLine($"broker down for {outage.TotalSeconds:F0} s from frame {ticksAtDown} to {feed.Ticks} of {LiveFeed.FramesPerStream} per stream");
        Assert.True(feed.Ticks < LiveFeed.FramesPerStream, "the feed ended during the outage: frames did not flow after it");
        feed.ReleaseTail();
        // A new client to watch with: the old one's requests cut off by the outage wait out socket.timeout.ms (60 s).
        using var watchAfter = new OutputWatch(endpoint.BootstrapServers, kafka.OutputTopic, kafka.EmbeddedPartitions);
        // The service's recovery counts from the broker answering again. On a loaded machine the mock cluster's thread (in
        // this process) has been seen to fall silent for half a minute, taking the outage's end with it.
        await Until(() => watchAfter.Count() is not null, service, "the broker to answer after the outage", feeding);
        output.WriteLine($"the broker answered {setUp.Elapsed.TotalSeconds:F1} s after it was set up");
        var upAt = Stopwatch.StartNew();
        await Until(() => watchAfter.Count() > outputsAtDown, service, "the first prediction after the outage", feeding);
        var recovered = upAt.Elapsed;
        await feeding;
        var audit = new TopicAudit(endpoint.BootstrapServers, kafka.InputTopics[0], kafka.OutputTopic, pipeline.WindowFrames, pipeline.HopFrames);
        await UntilComplete(audit, feed, service);
        var settled = upAt.Elapsed;
        service.Kill();

        await audit.ReadAsync();
        var figures = await audit.AssertAccounted(feed, restarted: false);
        output.WriteLine($"broker outage: {figures}");
        output.WriteLine($"broker outage: first prediction {recovered.TotalSeconds:F1} s after the broker came back, all accounted for {settled.TotalSeconds:F1} s after it");
    }

    /// <summary>Waits until the service has built its pipeline and started consuming.</summary>
    static Task Ready(ServiceProcess service) => Until(() => service.Log.Contains("consuming ", StringComparison.Ordinal), service, "the service to start");

    /// <summary>Waits for <paramref name="condition"/>; a failed <paramref name="feeding"/> ends the wait with the feed's own error.</summary>
    static async Task Until(Func<bool> condition, ServiceProcess service, string what, Task? feeding = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (feeding is { IsFaulted: true }) await feeding;
            Assert.False(service.HasExited, $"the service exited while waiting for {what}:\n{service.Log}");
            Assert.True(deadline.Elapsed < Deadline, $"no {what} within {Deadline.TotalSeconds} s:\n{service.Log}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the topics account for every input, or the deadline; the accounting that follows says what is missing.</summary>
    async Task UntilComplete(TopicAudit audit, LiveFeed feed, ServiceProcess service)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await audit.ReadAsync();
            if (audit.Complete(feed)) return;
            Assert.False(service.HasExited, $"the service exited before every input was accounted for:\n{service.Log}");
            if (deadline.Elapsed > Deadline)
            {
                output.WriteLine($"not every input accounted for within {Deadline.TotalSeconds} s; the service's log:\n{service.Log}");
                return;
            }
            await Task.Delay(250);
        }
    }
}
