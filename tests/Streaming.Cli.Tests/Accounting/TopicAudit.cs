using Streaming.Kafka.Topics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NJsonSchema;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Tests.Interop;
using Streaming.Pipeline.Contracts;

namespace Streaming.Cli.Tests.Accounting;

/// <summary>One message of a topic as kcat (<c>-J</c>) reads it.</summary>
public sealed record TopicRecord(string? Key, string? Payload, IReadOnlyDictionary<string, string> Headers);

/// <summary>What the accounting found: the figures a report quotes.</summary>
public sealed record AccountingFigures(
    int Streams, int MessagesIn, int Outputs, int DistinctWindows, int ExpectedWindows, int Duplicates,
    int DeadLetters, int MalformedDeadLettered, int FramesRedeliveredToDeadLetters)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"messages in {MessagesIn} ({Streams * LiveFeed.FramesPerStream} frames of {Streams} streams, {LiveFeed.BadCount} malformed); windows out {Outputs} " +
        $"({DistinctWindows} distinct of {ExpectedWindows} expected, {Duplicates} duplicates); dead letters {DeadLetters} " +
        $"({MalformedDeadLettered} of malformed messages, {FramesRedeliveredToDeadLetters} of frames redelivered after a restart)");
}

/// <summary>
/// Reads the output and dead-letter topics with kcat, an independent client, and accounts for every message the
/// <see cref="LiveFeed"/> wrote: each good frame is in a published window, each malformed message is dead-lettered with
/// its reason and source position, and every output is a well-formed window of exactly the frames it names.
/// </summary>
public sealed class TopicAudit(string bootstrapServers, string inputTopic, string outputTopic, int windowFrames, int hopFrames)
{
    public IReadOnlyList<TopicRecord> Outputs { get; private set; } = [];
    public IReadOnlyList<TopicRecord> DeadLetters { get; private set; } = [];

    int WindowsPerStream => (LiveFeed.FramesPerStream - windowFrames) / hopFrames + 1;

    public async Task ReadAsync()
    {
        Outputs = await Read(outputTopic);
        DeadLetters = await Read(StreamingTopics.DeadLettersOf(inputTopic));
    }

    /// <summary>Every window of every stream is published and every malformed message dead-lettered (as far as the topics show).</summary>
    public bool Complete(LiveFeed feed)
    {
        var windows = Outputs.Select(o => ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(o.Payload!)))
            .Select(p => (p.Stream, p.WindowStart)).ToHashSet();
        return windows.Count >= feed.Streams * WindowsPerStream
            && feed.Bad.All(b => DeadLetters.Any(d => d.Payload == b.Payload));
    }

    /// <summary>Asserts the accounting; <paramref name="restarted"/> allows what at-least-once redelivery after a restart brings.</summary>
    public async Task<AccountingFigures> AssertAccounted(LiveFeed feed, bool restarted)
    {
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "action-prediction.v1.schema.json"));
        var predictions = new List<ActionPrediction>();
        foreach (var output in Outputs)
        {
            var errors = schema.Validate(output.Payload!);
            Assert.True(errors.Count == 0, $"output does not match the schema: {string.Join("; ", errors)}\n{output.Payload}");
            var prediction = ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(output.Payload!));
            Assert.Equal(prediction.Stream, output.Key);
            Assert.Contains(prediction.Stream, feed.StreamIds);
            // The window is exactly frames first..first+length-1 of its stream, on the hop grid, and its id says which.
            var first = feed.SequenceAt(prediction.Stream, prediction.WindowStart);
            var last = feed.SequenceAt(prediction.Stream, prediction.WindowEnd);
            Assert.True(first is not null && last is not null, $"window {prediction.Stream}#{prediction.WindowId} spans {prediction.WindowStart:O}..{prediction.WindowEnd:O}, which are not capture times of its frames");
            Assert.True(last - first == windowFrames - 1, $"window {prediction.Stream}#{prediction.WindowId} spans frames {first}..{last}, not {windowFrames} frames");
            Assert.True(first % hopFrames == 0 && prediction.WindowId == first / hopFrames,
                $"window {prediction.Stream}#{prediction.WindowId} starts at frame {first}: off the hop grid of {hopFrames} or mislabelled");
            predictions.Add(prediction);
        }

        // Repeats of a window (redelivery) must be the same window with the same recognition; only latency and history may differ.
        var windows = predictions.GroupBy(p => (p.Stream, p.WindowId)).ToList();
        foreach (var copies in windows)
        {
            Assert.All(copies, c => Assert.Equal((copies.First().WindowStart, copies.First().WindowEnd, copies.First().Recognized.Label, copies.First().Recognized.Probability),
                (c.WindowStart, c.WindowEnd, c.Recognized.Label, c.Recognized.Probability)));
        }
        var duplicates = predictions.Count - windows.Count;
        if (!restarted) Assert.Equal(0, duplicates);
        var expected = feed.StreamIds.SelectMany(s => Enumerable.Range(0, WindowsPerStream).Select(k => (s, (long)k))).ToHashSet();
        Assert.Equal(expected.Order(), windows.Select(w => w.Key).Order());

        // Every good frame contributed to a published window.
        var covered = predictions.SelectMany(p => Enumerable.Range(0, windowFrames).Select(i => (p.Stream, p.WindowId * hopFrames + i))).ToHashSet();
        foreach (var stream in feed.StreamIds)
        {
            for (long seq = 0; seq < LiveFeed.FramesPerStream; seq++) Assert.True(covered.Contains((stream, seq)), $"frame {stream}/{seq} is in no published window");
        }

        // Every malformed message is dead-lettered with its reason and where it came from; nothing else is, but frames
        // that a restart redelivered from before the next window boundary of their stream.
        var malformed = 0;
        var redelivered = 0;
        foreach (var dead in DeadLetters)
        {
            Assert.Equal(inputTopic, dead.Headers[Kafka.DeadLettering.DeadLetters.SourceTopicHeader]);
            Assert.True(DateTimeOffset.TryParse(dead.Headers[Kafka.DeadLettering.DeadLetters.TimeHeader], CultureInfo.InvariantCulture, out _));
            var reason = dead.Headers[Kafka.DeadLettering.DeadLetters.ReasonHeader];
            if (feed.Bad.SingleOrDefault(b => b.Payload == dead.Payload) is { } bad)
            {
                Assert.Equal((bad.Key, bad.Reason), (dead.Key, reason));
                Assert.Equal(bad.Partition.ToString(CultureInfo.InvariantCulture), dead.Headers[Kafka.DeadLettering.DeadLetters.SourcePartitionHeader]);
                Assert.Equal(bad.Offset.ToString(CultureInfo.InvariantCulture), dead.Headers[Kafka.DeadLettering.DeadLetters.SourceOffsetHeader]);
                malformed++;
                continue;
            }
            var frame = SkeletonFrameJson.Parse(Encoding.UTF8.GetBytes(dead.Payload!));
            Assert.True(restarted && frame.Value is not null && reason == RejectionReason.IncompleteWindow.Code(),
                $"a good frame was dead-lettered ({reason}: {dead.Headers.GetValueOrDefault(Kafka.DeadLettering.DeadLetters.DetailHeader)}) without a restart to redeliver it");
            redelivered++;
        }
        Assert.All(feed.Bad, b => Assert.Contains(DeadLetters, d => d.Payload == b.Payload));

        return new AccountingFigures(feed.Streams, feed.MessageCount, predictions.Count, windows.Count, expected.Count, duplicates,
            DeadLetters.Count, malformed, redelivered);
    }

    async Task<IReadOnlyList<TopicRecord>> Read(string topic)
    {
        var lines = (await Kcat.Run(null, "-b", bootstrapServers, "-C", "-t", topic, "-e", "-q", "-o", "beginning", "-J"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("headers", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                var items = list.EnumerateArray().Select(h => h.GetString() ?? "").ToList();
                for (int i = 0; i + 1 < items.Count; i += 2) headers[items[i]] = items[i + 1];
            }
            return new TopicRecord(root.GetProperty("key").GetString(), root.GetProperty("payload").GetString(), headers);
        }).ToList();
    }
}
