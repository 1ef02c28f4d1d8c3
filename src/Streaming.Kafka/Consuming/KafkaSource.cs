using Confluent.Kafka;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Native;

namespace Streaming.Kafka.Consuming;

/// <summary>
/// The input topics as an observable of <see cref="InputRecord"/>. Each subscription is one member of
/// the consumer group, consuming on the scheduler given (a dedicated thread by default). Offsets are
/// committed only for records marked done (at-least-once), periodically, on revocation and on stop.
/// Disposing the subscription stops the consumer cleanly: it commits, leaves the group and closes.
/// </summary>
public static class KafkaSource
{
    /// <summary>Consumes on a new thread per subscription.</summary>
    /// <param name="assigned">Called on the consumer's thread with the partitions each rebalance assigns (the group has formed).</param>
    /// <param name="control">Pauses consumption without ending the subscription, for a drain before stopping.</param>
    /// <param name="revoking">
    /// Called on the consumer's thread with partitions a rebalance takes away, before their offsets are committed (or lost
    /// ones, which are not committed): the owner settles what it can and forgets the partitions' state.
    /// </param>
    public static IObservable<InputRecord> Create(KafkaSettings settings, string bootstrapServers, Action<IReadOnlyList<TopicPartition>>? assigned = null,
        ConsumptionControl? control = null, Action<IReadOnlyList<TopicPartition>>? revoking = null) =>
        Create(settings, bootstrapServers, NewThreadScheduler.Default, assigned, control, revoking);

    /// <param name="scheduler">Runs the blocking consume loop (it should give the loop a thread of its own) and is its clock.</param>
    /// <param name="assigned">Called on the consumer's thread with the partitions each rebalance assigns (the group has formed).</param>
    /// <param name="control">Pauses consumption without ending the subscription, for a drain before stopping.</param>
    /// <param name="revoking">Called on the consumer's thread with partitions a rebalance takes away, before their offsets are committed.</param>
    public static IObservable<InputRecord> Create(KafkaSettings settings, string bootstrapServers, IScheduler scheduler, Action<IReadOnlyList<TopicPartition>>? assigned = null,
        ConsumptionControl? control = null, Action<IReadOnlyList<TopicPartition>>? revoking = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentNullException.ThrowIfNull(scheduler);
        settings.Validate();
        return Observable.Create<InputRecord>(observer =>
        {
            LibRdKafka.EnsureLoaded();
            var loop = new ConsumerLoop(settings, bootstrapServers, scheduler, observer, assigned, control, revoking);
            scheduler.Schedule(loop.Run);
            return loop;
        });
    }
}
