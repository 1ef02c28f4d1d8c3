using System.Diagnostics;
using System.Reactive.Concurrency;
using Confluent.Kafka;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Telemetry;

namespace Streaming.Kafka.Consuming;

/// <summary>One subscription of <see cref="KafkaSource"/>: a consumer, its ledger and the loop that drives both.</summary>
/// <remarks>
/// Consume, offset stores and the rebalance callbacks all run on the loop's thread, so the consumer is never
/// shared. Consume waits at most <see cref="PollInterval"/> so that stores fall due while idle; librdkafka commits what
/// is stored in the background, so the loop never waits on the group coordinator. Each record is handed on inside its
/// process span (see <see cref="KafkaTracing"/>), its age since its timestamp recorded on <paramref name="clock"/>; the
/// consumer lag is refreshed every commit interval.
/// </remarks>
internal sealed class ConsumerLoop(KafkaSettings settings, string bootstrapServers, IScheduler clock, IObserver<InputRecord> observer,
    Action<IReadOnlyList<TopicPartition>>? assigned, ConsumptionControl? control, Action<IReadOnlyList<TopicPartition>>? revoking) : IDisposable
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How often settled offsets are handed to librdkafka: a local call, well inside any commit interval.</summary>
    static readonly TimeSpan StoreInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Bounds how long <see cref="Dispose"/> waits for the final commit and for leaving the group.</summary>
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    readonly OffsetLedger ledger = new();
    readonly CancellationTokenSource stop = new();
    readonly ManualResetEventSlim ended = new();
    readonly ConsumerConfig config = KafkaClientConfig.ForConsumer(settings, bootstrapServers);
    readonly ConsumerLag lag = new(settings.GroupId);
    readonly HashSet<TopicPartition> paused = [];
    int loopThread;

    public void Run()
    {
        loopThread = Environment.CurrentManagedThreadId;
        IConsumer<byte[]?, byte[]?>? consumer = null;
        KafkaMetrics.Track(lag);
        try
        {
            consumer = Build();
            consumer.Subscribe(settings.InputTopics);
            var sinceStore = Stopwatch.StartNew();
            var sinceLag = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                if (control?.PauseRequested == true) Pause(consumer);
                if (Consume(consumer) is { } consumed)
                {
                    using (consumed.Span) observer.OnNext(consumed.Record);
                }
                if (sinceStore.Elapsed >= StoreInterval)
                {
                    Store(consumer, ledger.Committable());
                    sinceStore.Restart();
                }
                if (sinceLag.Elapsed >= settings.CommitInterval)
                {
                    lag.Refresh(consumer);
                    sinceLag.Restart();
                }
            }
            // Close commits what is stored, then leaves the group.
            Store(consumer, ledger.Committable());
            consumer.Close();
        }
        catch (Exception error)
        {
            observer.OnError(error);
        }
        finally
        {
            KafkaMetrics.Untrack(lag);
            consumer?.Dispose();
            ended.Set();
        }
    }

    /// <summary>Stops the loop and waits for it to commit and close, unless called from the loop itself.</summary>
    public void Dispose()
    {
        stop.Cancel();
        if (Environment.CurrentManagedThreadId != loopThread) ended.Wait(StopTimeout);
    }

    IConsumer<byte[]?, byte[]?> Build() =>
        new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => KafkaMetrics.ClientError(config.ClientId, error))
            // A failed background commit is offered again with the next one: what is stored stays stored. (Nothing new
            // stored since the last commit is no error.)
            .SetOffsetsCommittedHandler((_, committed) =>
            {
                if (committed.Error.IsError && committed.Error.Code != ErrorCode.Local_NoOffset) KafkaMetrics.ClientError(config.ClientId, committed.Error);
                foreach (var partition in committed.Offsets)
                    if (partition.Error.IsError) KafkaMetrics.ClientError(config.ClientId, partition.Error);
            })
            .SetPartitionsAssignedHandler((_, partitions) => assigned?.Invoke(partitions))
            // Store what is done before the partitions go to another member (librdkafka commits it as it lets them go),
            // then forget them. The owner settles what it can first, so that the commit covers it and the next owner does
            // not form those windows again.
            .SetPartitionsRevokedHandler((consumer, revoked) =>
            {
                var partitions = revoked.Select(p => p.TopicPartition).ToList();
                revoking?.Invoke(partitions);
                Store(consumer, ledger.Committable(partitions));
                Forget(partitions);
            })
            // Lost partitions may already be owned elsewhere: nothing more is stored for them. (What was stored before may
            // still be committed; a stored offset only ever covers acknowledged records, so that repeats, never loses.)
            .SetPartitionsLostHandler((_, lost) =>
            {
                var partitions = lost.Select(p => p.TopicPartition).ToList();
                revoking?.Invoke(partitions);
                Forget(partitions);
            })
            .Build();

    void Forget(List<TopicPartition> partitions)
    {
        ledger.Drop(partitions);
        lag.Forget(partitions);
        paused.ExceptWith(partitions);
    }

    /// <summary>Pauses every assigned partition not yet paused (a rebalance may assign new ones while draining).</summary>
    void Pause(IConsumer<byte[]?, byte[]?> consumer)
    {
        var unpaused = consumer.Assignment.Where(p => !paused.Contains(p)).ToList();
        if (unpaused.Count > 0)
        {
            consumer.Pause(unpaused);
            paused.UnionWith(unpaused);
        }
        control!.MarkPaused();
    }

    /// <summary>A record and the span that processes it (null when nothing traces the Kafka edge).</summary>
    readonly record struct Consumed(InputRecord Record, Activity? Span);

    Consumed? Consume(IConsumer<byte[]?, byte[]?> consumer)
    {
        ConsumeResult<byte[]?, byte[]?>? result;
        try
        {
            result = consumer.Consume(PollInterval);
        }
        catch (ConsumeException error) when (!error.Error.IsFatal)
        {
            // Transient (broker down, leader moving): librdkafka retries by itself.
            KafkaMetrics.ClientError(config.ClientId, error.Error);
            return null;
        }
        if (result?.Message is not { } message || result.IsPartitionEOF) return null;
        ledger.Register(result.TopicPartition, result.Offset.Value);
        var headers = message.Headers?.Select(h => new KeyValuePair<string, byte[]>(h.Key, h.GetValueBytes())).ToArray() ?? [];
        DateTimeOffset? timestamp = message.Timestamp.Type == TimestampType.NotAvailable
            ? null
            : DateTimeOffset.FromUnixTimeMilliseconds(message.Timestamp.UnixTimestampMs);
        if (timestamp is { } stamped) KafkaMetrics.Consumed(settings.GroupId, result.Topic, clock.Now - stamped);
        var parent = TraceContextHeaders.Extract(headers);
        var span = KafkaTracing.StartProcess(result, parent, settings.GroupId, config.ClientId);
        var trace = span?.Context ?? parent;
        return new Consumed(new InputRecord(ledger, result.TopicPartitionOffset, message.Key, message.Value, headers, timestamp, trace), span);
    }

    /// <summary>Hands settled positions to librdkafka, which commits them in the background.</summary>
    void Store(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            try
            {
                consumer.StoreOffset(offset);
                ledger.MarkStored(offset);
            }
            catch (KafkaException error) when (!error.Error.IsFatal)
            {
                // The partition is no longer assigned (a rebalance under way): the next owner reads from the last commit.
                KafkaMetrics.ClientError(config.ClientId, error.Error);
            }
        }
    }
}
