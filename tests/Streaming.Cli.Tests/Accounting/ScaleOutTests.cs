using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Pipeline.Contracts;
using Streaming.Service.Configuration;
using Xunit.Abstractions;

namespace Streaming.Cli.Tests.Accounting;

/// <summary>
/// Part 4 of the issue, scale-out: several <c>streaming run</c> processes in one consumer group on a 6-partition input,
/// fed 12 live streams (every partition holds some). (a) Two members share the streams; one is killed with SIGKILL and
/// its partitions move to the survivor, which rebuilds the streams' window state from the records not yet committed;
/// then a third member joins and takes partitions over mid-stream. (b) A rolling restart: each of two members in turn is
/// stopped with SIGTERM (a drain) while its replacement joins. Every input must end in a published window or in the
/// dead-letter topic; a drain must publish no window twice.
/// </summary>
[Collection(ServiceAccountingCollection.Name)]
public sealed partial class ScaleOutTests(ITestOutputHelper output)
{
    const string GroupId = "scale-out";
    const int Partitions = 6;
    const int Streams = 12;

    /// <summary>Where the feed waits, after the first fault, until the group has settled (then frames flow through the second).</summary>
    const int SecondFaultTick = 150;

    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// No drops from backpressure, and a dead member's partitions held for 6 s (the least a broker allows) instead of
    /// librdkafka's 45 s: the mock cluster also holds a rebalance after a member leaves until the session times out.
    /// </summary>
    static readonly Dictionary<string, string> Environment = new()
    {
        ["STREAMING_Pipeline__PerStreamCapacity"] = "64",
        ["STREAMING_Kafka__ConsumerProperties__session.timeout.ms"] = "6000",
    };

    readonly KafkaSettings kafka = new() { EmbeddedPartitions = Partitions };
    // The service windows with the shipped baseline's trained length (Pipeline:WindowFrames 0), 15 frames.
    readonly PipelineSettings pipeline = new() { WindowFrames = PipelineSettings.DefaultWindowFrames };

    [Fact]
    public async Task TwoMembers_OneKilledThenAThirdJoins_PartitionsMoveWithoutLoss()
    {
        using var endpoint = KafkaEndpoint.Open(kafka);
        var input = kafka.InputTopics[0];
        var feed = new LiveFeed(Streams);
        feed.HoldAt(SecondFaultTick);
        var audit = new TopicAudit(endpoint.BootstrapServers, input, kafka.OutputTopic, pipeline.WindowFrames, pipeline.HopFrames);
        var clock = Stopwatch.StartNew();

        using var first = Start(endpoint);
        using var second = Start(endpoint);
        await Settled([first, second]);
        var feeding = feed.RunAsync(endpoint.BootstrapServers, input);
        await UntilBothPublish(endpoint, audit, feed, first, second);

        var moved = StreamsOf(feed, Assignment(first));
        output.WriteLine($"members: the first holds partitions {Describe(Assignment(first))} (streams {string.Join(",", moved)}), " +
            $"the second {Describe(Assignment(second))} (streams {string.Join(",", StreamsOf(feed, Assignment(second)))})");
        first.Kill();
        var killedAt = clock.Elapsed;
        var ticksAtKill = feed.Ticks;
        await audit.ReadAsync();
        var movedAtKill = audit.Outputs.Count(o => moved.Contains(o.Key!));
        // Mid-stream whatever the machine's speed: the feed holds before tick SecondFaultTick until the survivor took over.
        output.WriteLine($"killed the first member (SIGKILL) after {audit.Outputs.Count} predictions ({movedAtKill} on its streams), " +
            $"{ticksAtKill} of {LiveFeed.FramesPerStream} frames per stream sent");

        await Until(async () =>
        {
            await audit.ReadAsync();
            return audit.Outputs.Count(o => moved.Contains(o.Key!)) > movedAtKill;
        }, [second], "the survivor's first prediction on a moved stream");
        var takeover = clock.Elapsed - killedAt;
        Assert.Equal(Enumerable.Range(0, Partitions), Assignment(second).Order());
        output.WriteLine($"the survivor holds every partition; its first prediction on a moved stream came {takeover.TotalSeconds:F1} s after the kill " +
            $"(the 6 s session timeout included), at frame {feed.Ticks}");

        // The third member's join rebalances while frames flow; the tail waits until it holds partitions.
        using var third = Start(endpoint);
        feed.Release(SecondFaultTick);
        await Settled([second, third]);
        output.WriteLine($"a third member joined at frame {feed.Ticks}: the survivor holds {Describe(Assignment(second))}, the third {Describe(Assignment(third))} " +
            $"(streams {string.Join(",", StreamsOf(feed, Assignment(third)))})");
        feed.ReleaseTail();
        await feeding;
        await UntilComplete(audit, feed, [second, third]);
        var accounted = clock.Elapsed - killedAt;

        output.WriteLine($"kill and join, as read: {Summary(audit)}");
        var figures = await audit.AssertAccounted(feed, restarted: true);
        output.WriteLine($"kill and join: {figures}");
        output.WriteLine($"kill and join: first prediction on a moved stream {takeover.TotalSeconds:F1} s after the kill, all accounted for {accounted.TotalSeconds:F1} s after it");
    }

    [Fact]
    public async Task RollingRestart_EachMemberDrainsOnSigterm_NoWindowPublishedTwice()
    {
        using var endpoint = KafkaEndpoint.Open(kafka);
        var input = kafka.InputTopics[0];
        var feed = new LiveFeed(Streams);
        feed.HoldAt(SecondFaultTick);
        var audit = new TopicAudit(endpoint.BootstrapServers, input, kafka.OutputTopic, pipeline.WindowFrames, pipeline.HopFrames);
        var stopBound = TimeSpan.FromSeconds(new HostSettings().DrainTimeoutSeconds + 5);

        using var first = Start(endpoint);
        using var second = Start(endpoint);
        await Settled([first, second]);
        var feeding = feed.RunAsync(endpoint.BootstrapServers, input);
        await UntilBothPublish(endpoint, audit, feed, first, second);

        // Each step, mid-stream (the feed holds before tick SecondFaultTick, then before its tail, until the step is done):
        // SIGTERM one member as its replacement starts, wait for its exit and for the group to settle with outputs advancing.
        using var firstReplacement = await Roll(endpoint, audit, feed, "first", first, second, stopBound, () => feed.Release(SecondFaultTick));
        using var secondReplacement = await Roll(endpoint, audit, feed, "second", second, firstReplacement, stopBound, feed.ReleaseTail);
        await feeding;
        await UntilComplete(audit, feed, [firstReplacement, secondReplacement]);

        output.WriteLine($"rolling restart, as read: {Summary(audit)}");
        var figures = await audit.AssertAccounted(feed, restarted: true);
        output.WriteLine($"rolling restart: {figures}");
        var repeated = Repeated(audit);
        Assert.True(figures.Duplicates == 0,
            $"{figures.Duplicates} windows were published twice across drains ({string.Join(", ", repeated)}):\n" +
            $"first:\n{first.Log}\nsecond:\n{second.Log}\nfirst replacement:\n{firstReplacement.Log}\nsecond replacement:\n{secondReplacement.Log}");
    }

    /// <summary>
    /// SIGTERMs <paramref name="leaving"/> as its replacement starts; asserts a clean exit within the stop bound. Once the
    /// group has settled, lets the feed go on (<paramref name="release"/>) and waits for outputs to advance.
    /// </summary>
    async Task<ServiceProcess> Roll(KafkaEndpoint endpoint, TopicAudit audit, LiveFeed feed, string name, ServiceProcess leaving, ServiceProcess staying,
        TimeSpan stopBound, Action release)
    {
        await audit.ReadAsync();
        var outputsBefore = audit.Outputs.Count;
        var ticks = feed.Ticks;
        var stopping = Stopwatch.StartNew();
        var exit = leaving.TerminateAsync(stopBound);
        var replacement = Start(endpoint);
        var code = await exit;
        var shutdown = stopping.Elapsed;
        Assert.True(code is not null, $"the {name} member did not exit within {stopBound.TotalSeconds} s of SIGTERM:\n{leaving.Log}");
        Assert.True(code == 0, $"the {name} member exited with {code} after SIGTERM:\n{leaving.Log}");
        output.WriteLine($"SIGTERM to the {name} member at frame {ticks}: exit code 0 after {shutdown.TotalSeconds:F2} s (bound {stopBound.TotalSeconds:F0} s); " +
            $"its log: {DrainLine().Match(leaving.Log).Value}");
        await Settled([staying, replacement]);
        release();
        await Until(async () =>
        {
            await audit.ReadAsync();
            return audit.Outputs.Count > outputsBefore;
        }, [staying, replacement], "outputs after the rebalance");
        output.WriteLine($"group settled at frame {feed.Ticks}: {Describe(Assignment(staying))} and the replacement {Describe(Assignment(replacement))}");
        return replacement;
    }

    ServiceProcess Start(KafkaEndpoint endpoint) => ServiceProcess.Start(endpoint.BootstrapServers, GroupId, Environment);

    /// <summary>Waits until both members hold streams and each has published predictions, and the group has committed progress.</summary>
    async Task UntilBothPublish(KafkaEndpoint endpoint, TopicAudit audit, LiveFeed feed, ServiceProcess first, ServiceProcess second)
    {
        // The group settled before the feed started, so a member's streams were published by it alone.
        var waiting = Stopwatch.StartNew();
        await Until(async () =>
        {
            await audit.ReadAsync();
            var published = audit.Outputs.Select(o => o.Key!).ToHashSet();
            return StreamsOf(feed, Assignment(first)).Any(published.Contains) && StreamsOf(feed, Assignment(second)).Any(published.Contains);
        }, [first, second], "predictions from both members");
        await Until(() => Task.FromResult(OutputWatch.Committed(endpoint.BootstrapServers, GroupId, kafka.InputTopics[0], Partitions).Sum() > 0),
            [first, second], "the group's first commit");
        output.WriteLine($"both members published predictions and the group committed {waiting.Elapsed.TotalSeconds:F1} s after the feed started, at frame {feed.Ticks}");
    }

    /// <summary>The streams whose frames went to <paramref name="partitions"/>.</summary>
    static List<string> StreamsOf(LiveFeed feed, IReadOnlyCollection<int> partitions) =>
        feed.StreamIds.Where(s => feed.PartitionOf(s) is { } p && partitions.Contains(p)).ToList();

    /// <summary>The input partitions a member holds by its latest <c>partitions held</c> log line.</summary>
    static IReadOnlyCollection<int> Assignment(ServiceProcess member) =>
        AssignedLine().Matches(member.Log) is { Count: > 0 } lines
            ? PartitionNumber().Matches(lines[^1].Groups[1].Value).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList()
            : [];

    static string Describe(IReadOnlyCollection<int> partitions) => $"[{string.Join(",", partitions.Order())}]";

    /// <summary>The windows published more than once, as stream#id.</summary>
    static List<string> Repeated(TopicAudit audit) => audit.Outputs
        .Select(o => ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(o.Payload!)))
        .GroupBy(p => $"{p.Stream}#{p.WindowId}").Where(g => g.Count() > 1).Select(g => g.Key).ToList();

    /// <summary>Outputs, repeats and dead letters by reason as the topics hold them, printed before the accounting judges them.</summary>
    static string Summary(TopicAudit audit)
    {
        var repeated = Repeated(audit);
        var reasons = audit.DeadLetters.GroupBy(d => d.Headers.GetValueOrDefault(Kafka.DeadLettering.DeadLetters.ReasonHeader) ?? "?")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        return $"{audit.Outputs.Count} outputs, {repeated.Count} windows repeated ({string.Join(", ", repeated.Take(12))}); " +
            $"{audit.DeadLetters.Count} dead letters ({string.Join(", ", reasons)})";
    }

    /// <summary>Waits until the members' latest assignments split the partitions between them, every member holding some.</summary>
    static Task Settled(IReadOnlyList<ServiceProcess> members) => Until(() =>
    {
        var held = members.Select(Assignment).ToList();
        var result = held.All(h => h.Count > 0) && held.Sum(h => h.Count) == Partitions
            && held.SelectMany(h => h).Order().SequenceEqual(Enumerable.Range(0, Partitions));
        return Task.FromResult(result);
    }, members, "the group to settle");

    static async Task Until(Func<Task<bool>> condition, IReadOnlyList<ServiceProcess> members, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            foreach (var member in members) Assert.False(member.HasExited, $"a member exited while waiting for {what}:\n{member.Log}");
            Assert.True(deadline.Elapsed < Deadline, $"no {what} within {Deadline.TotalSeconds} s:\n{string.Join("\n---\n", members.Select(m => m.Log))}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the topics account for every input, or the deadline; the accounting that follows says what is missing.</summary>
    async Task UntilComplete(TopicAudit audit, LiveFeed feed, IReadOnlyList<ServiceProcess> members)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await audit.ReadAsync();
            if (audit.Complete(feed)) return;
            foreach (var member in members) Assert.False(member.HasExited, $"a member exited before every input was accounted for:\n{member.Log}");
            if (deadline.Elapsed > Deadline)
            {
                output.WriteLine($"not every input accounted for within {Deadline.TotalSeconds} s; the members' logs:\n{string.Join("\n---\n", members.Select(m => m.Log))}");
                return;
            }
            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"partitions held: (\S+)")]
    private static partial Regex AssignedLine();

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex PartitionNumber();

    [GeneratedRegex(@"stopped after a \w+ drain of \d+ ms[^\n]*")]
    private static partial Regex DrainLine();
}
