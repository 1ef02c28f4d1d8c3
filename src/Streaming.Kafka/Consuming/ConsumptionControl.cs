namespace Streaming.Kafka.Consuming;

/// <summary>
/// Stops a <see cref="KafkaSource"/> subscription from taking new records without ending it: its partitions are paused
/// (and any assigned later), while the loop goes on committing what settles and serving rebalances. A graceful stop
/// pauses, lets the records in flight settle, then disposes the subscription for the final commit.
/// </summary>
public sealed class ConsumptionControl
{
    readonly TaskCompletionSource paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    volatile bool pauseRequested;

    /// <summary>Asks the consumer to take no more records; <see cref="Paused"/> completes once it has stopped.</summary>
    public void Pause() => pauseRequested = true;

    /// <summary>Completes when the consumer has paused its partitions: nothing it consumes after this reaches the pipeline.</summary>
    public Task Paused => paused.Task;

    internal bool PauseRequested => pauseRequested;

    internal void MarkPaused() => paused.TrySetResult();
}
