using Confluent.Kafka;

namespace Streaming.Kafka.Consuming;

/// <summary>
/// Which offsets may be committed: per partition, the lowest offset still in flight, or one past the
/// highest offset seen when none is. A record is registered when consumed and marked done when its
/// outputs are acknowledged or it is dead-lettered, in any order. Thread-safe.
/// </summary>
public sealed class OffsetLedger
{
    readonly Lock gate = new();
    readonly Dictionary<TopicPartition, PartitionLedger> partitions = [];

    /// <summary>Records <paramref name="offset"/> of <paramref name="partition"/> as consumed and not yet done.</summary>
    public void Register(TopicPartition partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (gate)
        {
            // The first offset seen is where this consumer started, i.e. already the group's position.
            if (!partitions.TryGetValue(partition, out var ledger)) partitions[partition] = ledger = new PartitionLedger { Stored = offset };
            ledger.InFlight.Add(offset);
            ledger.Next = Math.Max(ledger.Next, offset + 1);
        }
    }

    /// <summary>Marks a registered record done; records of partitions no longer held (revoked) are ignored.</summary>
    public void MarkDone(TopicPartition partition, long offset)
    {
        lock (gate)
        {
            if (partitions.TryGetValue(partition, out var ledger)) ledger.InFlight.Remove(offset);
        }
    }

    /// <summary>Commit positions (next offset to read) that moved since the last <see cref="MarkStored"/>.</summary>
    public IReadOnlyList<TopicPartitionOffset> Committable() => Committable(_ => true);

    /// <summary>As <see cref="Committable()"/>, restricted to <paramref name="held"/> partitions.</summary>
    public IReadOnlyList<TopicPartitionOffset> Committable(IEnumerable<TopicPartition> held)
    {
        var set = held.ToHashSet();
        return Committable(set.Contains);
    }

    /// <summary>Notes that <paramref name="position"/> was handed to the consumer to commit, so it is not offered again.</summary>
    public void MarkStored(TopicPartitionOffset position)
    {
        lock (gate)
        {
            if (partitions.TryGetValue(position.TopicPartition, out var ledger)) ledger.Stored = Math.Max(ledger.Stored, position.Offset.Value);
        }
    }

    /// <summary>Forgets revoked or lost partitions: their records now belong to another consumer.</summary>
    public void Drop(IEnumerable<TopicPartition> revoked)
    {
        lock (gate)
        {
            foreach (var partition in revoked) partitions.Remove(partition);
        }
    }

    /// <summary>Records registered and not yet done, over all partitions.</summary>
    public int InFlightCount
    {
        get
        {
            lock (gate) return partitions.Values.Sum(ledger => ledger.InFlight.Count);
        }
    }

    IReadOnlyList<TopicPartitionOffset> Committable(Func<TopicPartition, bool> include)
    {
        lock (gate)
        {
            var offsets = new List<TopicPartitionOffset>();
            foreach (var (partition, ledger) in partitions)
            {
                if (!include(partition)) continue;
                // Offsets may have gaps (compaction, transaction markers): the lowest in-flight one bounds the commit, not offset + 1.
                var position = ledger.InFlight.Count > 0 ? ledger.InFlight.Min : ledger.Next;
                if (position > ledger.Stored) offsets.Add(new TopicPartitionOffset(partition, position));
            }
            return offsets;
        }
    }

    sealed class PartitionLedger
    {
        public readonly SortedSet<long> InFlight = [];
        public long Next;
        public long Stored;
    }
}
