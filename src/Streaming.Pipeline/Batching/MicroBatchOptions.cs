namespace Streaming.Pipeline.Batching;

/// <summary>The cross-stream micro-batcher and the bounded per-stream queues in front of the model.</summary>
public sealed record MicroBatchOptions
{
    /// <summary>Most windows per model call.</summary>
    public int MaxBatchSize { get; init; } = 16;

    /// <summary>
    /// Longest a window waits, while the model is idle, for its batch to fill before a smaller batch goes. Zero (the
    /// default) is adaptive: the model takes whatever waits as soon as it is idle, so a lone window goes at once and the
    /// windows that arrive while a batch runs go together as the next one; batches grow with the load. A positive wait
    /// trades that much latency for fuller batches where a model call has a large fixed cost.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.Zero;

    /// <summary>Windows one stream may have waiting while the model is busy.</summary>
    public int PerStreamCapacity { get; init; } = 4;

    public BackpressurePolicy Policy { get; init; } = BackpressurePolicy.DropOldest;

    public void Validate()
    {
        if (MaxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "batch size must be at least 1.");
        if (MaxWait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxWait), MaxWait, "max wait cannot be negative.");
        if (PerStreamCapacity < 1) throw new ArgumentOutOfRangeException(nameof(PerStreamCapacity), PerStreamCapacity, "per-stream capacity must be at least 1.");
        if (!Enum.IsDefined(Policy)) throw new ArgumentOutOfRangeException(nameof(Policy), Policy, "unknown backpressure policy.");
    }
}
