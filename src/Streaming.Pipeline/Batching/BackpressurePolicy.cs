namespace Streaming.Pipeline.Batching;

/// <summary>What a full per-stream queue in front of the model does with one more window.</summary>
public enum BackpressurePolicy
{
    /// <summary>Drop the stream's oldest waiting window: results stay current (live views).</summary>
    DropOldest,

    /// <summary>Drop the arriving window: what is queued is kept.</summary>
    DropNewest,

    /// <summary>Block the producer until there is room (the Kafka consumer stops reading); needs the model on its own thread.</summary>
    Block,
}
