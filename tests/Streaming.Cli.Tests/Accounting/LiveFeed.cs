using System.Collections.Concurrent;
using System.Text;
using Streaming.Service.Replay;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Producing;
using Streaming.Pipeline.Contracts;

namespace Streaming.Cli.Tests.Accounting;

/// <summary>A malformed input message, the reason the service must give for it, and where it was written.</summary>
public sealed record BadInput(string Key, string Payload, string Reason)
{
    public int Partition { get; set; } = -1;
    public long Offset { get; set; } = -1;
}

/// <summary>
/// Live skeleton streams into the input topic at 30 fps: <see cref="Streams"/> streams of <see cref="FramesPerStream"/>
/// frames (joints of real UTKinect takes, reused in turn when there are more streams than takes; sequence numbers from 0,
/// capture times 1/30 s apart), with a malformed
/// message among them every <see cref="BadEvery"/> ticks, keyed like the good ones. Remembers every capture time, so
/// that a published window can be traced back to exactly the frames it must hold. The last <see cref="TailFrames"/>
/// ticks wait for <see cref="ReleaseTail"/>, so that frames still flow after the fault a test injects however slowly
/// the service came up on a loaded machine; <see cref="HoldAt"/> adds such a wait before another tick, for a second fault.
/// </summary>
public sealed class LiveFeed
{
    public const int DefaultStreams = 6;
    public const int FramesPerStream = 240;
    public const int BadEvery = 10;
    public const int TailFrames = 30;
    static readonly TimeSpan FrameInterval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / 30);

    readonly IReadOnlyList<IReadOnlyList<SkeletonFrame>> takes;
    readonly Dictionary<(string Stream, DateTimeOffset Time), long> sequenceAt = [];
    readonly List<BadInput> bad = [];
    readonly ConcurrentDictionary<string, int> partitionOf = new(StringComparer.Ordinal);
    readonly Dictionary<int, TaskCompletionSource> holds = new() { [FramesPerStream - TailFrames] = new(TaskCreationOptions.RunContinuationsAsynchronously) };
    int ticks;

    /// <summary>Lets the last <see cref="TailFrames"/> ticks go.</summary>
    public void ReleaseTail() => Release(FramesPerStream - TailFrames);

    /// <summary>Makes the feed wait before tick <paramref name="tick"/> until <see cref="Release"/>; call before <see cref="RunAsync"/>.</summary>
    public void HoldAt(int tick)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tick);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tick, FramesPerStream);
        holds.TryAdd(tick, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Lets the ticks from <paramref name="tick"/>, held by <see cref="HoldAt"/>, go.</summary>
    public void Release(int tick) => holds[tick].TrySetResult();

    public LiveFeed(int streams = DefaultStreams)
    {
        var all = ReplayCatalog.UtKinect(Path.Combine(RepositoryFiles.Data, "utkinect-action3d"), "test", DateTimeOffset.UnixEpoch)
            .Select(t => t.Frames).ToList();
        Assert.NotEmpty(all);
        takes = Enumerable.Range(0, streams).Select(s => all[s % all.Count]).ToList();
        Assert.All(takes, t => Assert.True(t.Count >= FramesPerStream, $"a take of {t.Count} frames is shorter than {FramesPerStream}"));
        Streams = streams;
        StreamIds = Enumerable.Range(0, streams).Select(s => $"cam-{s}").ToList();
    }

    public int Streams { get; }

    public IReadOnlyList<string> StreamIds { get; }

    /// <summary>Good frames plus malformed messages.</summary>
    public int MessageCount => Streams * FramesPerStream + BadCount;

    public static int BadCount => (FramesPerStream + BadEvery - 1 - BadEvery / 2) / BadEvery;

    public IReadOnlyList<BadInput> Bad => bad;

    /// <summary>Ticks sent so far (each tick is one frame of every stream).</summary>
    public int Ticks => Volatile.Read(ref ticks);

    /// <summary>The input partition the frames of <paramref name="stream"/> went to (known once one was acknowledged).</summary>
    public int? PartitionOf(string stream) => partitionOf.TryGetValue(stream, out var partition) ? partition : null;

    /// <summary>The sequence number of the frame of <paramref name="stream"/> captured at <paramref name="time"/>, if one was sent.</summary>
    public long? SequenceAt(string stream, DateTimeOffset time) => sequenceAt.TryGetValue((stream, time), out var seq) ? seq : null;

    /// <summary>Publishes every message at its capture time and waits until the broker has acknowledged them all.</summary>
    public async Task RunAsync(string bootstrapServers, string topic)
    {
        using var sink = new KafkaSink(new KafkaSettings(), bootstrapServers);
        var origin = DateTimeOffset.UtcNow;
        var writes = new List<Task>();
        for (int i = 0; i < FramesPerStream; i++)
        {
            if (holds.TryGetValue(i, out var hold) && !hold.Task.IsCompleted)
            {
                await hold.Task;
                origin = DateTimeOffset.UtcNow - i * FrameInterval;
            }
            var time = origin + i * FrameInterval;
            var wait = time - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            for (int s = 0; s < Streams; s++)
            {
                var stream = StreamIds[s];
                var frame = takes[s][i] with { Stream = stream, Sequence = i, CaptureTime = time };
                sequenceAt[(stream, time)] = i;
                writes.Add(Write(sink, topic, stream, SkeletonFrameJson.Serialize(frame)));
            }
            if (i % BadEvery == BadEvery / 2)
            {
                var input = Malformed(takes[0][i] with { Stream = StreamIds[i % Streams], Sequence = 1_000_000 + i, CaptureTime = time }, bad.Count);
                bad.Add(input);
                writes.Add(Write(sink, topic, input));
            }
            Volatile.Write(ref ticks, i + 1);
        }
        await Task.WhenAll(writes);
    }

    async Task Write(KafkaSink sink, string topic, string stream, byte[] frame)
    {
        var written = await sink.PublishAsync(topic, Encoding.UTF8.GetBytes(stream), frame);
        partitionOf[stream] = written.Partition.Value;
    }

    static async Task Write(KafkaSink sink, string topic, BadInput input)
    {
        var written = await sink.PublishAsync(topic, Encoding.UTF8.GetBytes(input.Key), Encoding.UTF8.GetBytes(input.Payload));
        input.Partition = written.Partition.Value;
        input.Offset = written.Offset.Value;
    }

    /// <summary>The <paramref name="kind"/>-th malformed message (the kinds rotate), built from a good frame.</summary>
    static BadInput Malformed(SkeletonFrame frame, int kind)
    {
        var json = Encoding.UTF8.GetString(SkeletonFrameJson.Serialize(frame));
        return (kind % 4) switch
        {
            0 => new BadInput(frame.Stream, $"not json {{ seq {frame.Sequence}", "not-json"),
            1 => new BadInput(frame.Stream, json.Replace("\"kinect20\"", "\"kinect99\"", StringComparison.Ordinal), "unknown-layout"),
            2 => new BadInput(frame.Stream, json.Replace("\"schema\":1", "\"schema\":2", StringComparison.Ordinal), "schema-version"),
            _ => new BadInput(frame.Stream, json[..json.IndexOf("\"joints\"", StringComparison.Ordinal)] + "\"joints\":[[0,0,0,1]]}", "joint-count"),
        };
    }
}
