using Confluent.Kafka;
using Streaming.Kafka.Consuming;

namespace Streaming.Kafka.Tests.Consuming;

public sealed class OffsetLedgerTests
{
    static readonly TopicPartition P0 = new("frames", 0);
    static readonly TopicPartition P1 = new("frames", 1);

    static OffsetLedger Registered(TopicPartition partition, params long[] offsets)
    {
        var ledger = new OffsetLedger();
        foreach (var offset in offsets) ledger.Register(partition, offset);
        return ledger;
    }

    static long? Position(OffsetLedger ledger, TopicPartition partition) =>
        ledger.Committable().SingleOrDefault(o => o.TopicPartition == partition)?.Offset.Value;

    [Fact]
    public void Committable_NothingDone_OffersNothing()
    {
        var ledger = Registered(P0, 5, 6, 7);
        Assert.Empty(ledger.Committable());
        Assert.Equal(3, ledger.InFlightCount);
    }

    [Fact]
    public void Committable_AllDoneInOrder_OffersOnePastTheLast()
    {
        var ledger = Registered(P0, 0, 1, 2);
        ledger.MarkDone(P0, 0);
        Assert.Equal(1, Position(ledger, P0));
        ledger.MarkDone(P0, 1);
        ledger.MarkDone(P0, 2);
        Assert.Equal(3, Position(ledger, P0));
    }

    [Fact]
    public void Committable_OutOfOrderDone_StopsAtTheLowestInFlight()
    {
        var ledger = Registered(P0, 0, 1, 2, 3, 4);
        ledger.MarkDone(P0, 3);
        ledger.MarkDone(P0, 1);
        ledger.MarkDone(P0, 4);
        Assert.Empty(ledger.Committable());
        ledger.MarkDone(P0, 0);
        Assert.Equal(2, Position(ledger, P0));
        ledger.MarkDone(P0, 2);
        Assert.Equal(5, Position(ledger, P0));
    }

    [Fact]
    public void Committable_OffsetGaps_CommitsPastTheHighestSeen()
    {
        var ledger = Registered(P0, 10, 12, 15);
        ledger.MarkDone(P0, 15);
        ledger.MarkDone(P0, 10);
        Assert.Equal(12, Position(ledger, P0));
        ledger.MarkDone(P0, 12);
        Assert.Equal(16, Position(ledger, P0));
    }

    [Fact]
    public void Committable_PartitionsAreIndependent()
    {
        var ledger = Registered(P0, 0, 1);
        ledger.Register(P1, 7);
        ledger.Register(P1, 8);
        ledger.MarkDone(P1, 7);
        ledger.MarkDone(P1, 8);
        Assert.Null(Position(ledger, P0));
        Assert.Equal(9, Position(ledger, P1));
        Assert.Equal(2, ledger.InFlightCount);
    }

    [Fact]
    public void MarkStored_SamePosition_NotOfferedAgainUntilItMoves()
    {
        var ledger = Registered(P0, 0, 1);
        ledger.MarkDone(P0, 0);
        foreach (var position in ledger.Committable()) ledger.MarkStored(position);
        Assert.Empty(ledger.Committable());
        ledger.MarkDone(P0, 1);
        Assert.Equal(2, Position(ledger, P0));
    }

    [Fact]
    public void CommittableForHeld_OtherPartitions_Excluded()
    {
        var ledger = Registered(P0, 0);
        ledger.Register(P1, 0);
        ledger.MarkDone(P0, 0);
        ledger.MarkDone(P1, 0);
        var held = ledger.Committable([P1]);
        Assert.Equal([new TopicPartitionOffset(P1, 1)], held);
    }

    [Fact]
    public void Drop_RevokedPartition_ForgetsItAndIgnoresLateDone()
    {
        var ledger = Registered(P0, 0, 1);
        ledger.Register(P1, 0);
        ledger.Drop([P0]);
        ledger.MarkDone(P0, 0);
        Assert.Equal(1, ledger.InFlightCount);
        Assert.Null(Position(ledger, P0));

        // Assigned again later: a fresh start from wherever the consumer resumes.
        ledger.Register(P0, 1);
        ledger.MarkDone(P0, 1);
        Assert.Equal(2, Position(ledger, P0));
    }

    [Fact]
    public void MarkDone_UnregisteredOffset_ChangesNothing()
    {
        var ledger = Registered(P0, 0, 1);
        ledger.MarkDone(P0, 99);
        ledger.MarkDone(P1, 0);
        Assert.Empty(ledger.Committable());
        Assert.Equal(2, ledger.InFlightCount);
    }

    [Fact]
    public void Register_NegativeOffset_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetLedger().Register(P0, -1));
        Assert.Equal("offset", error.ParamName);
    }
}
