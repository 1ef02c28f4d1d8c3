using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Batching;

/// <summary>
/// Windows waiting for the model, one bounded FIFO per stream. Batches are taken round-robin across
/// streams, the stream with the oldest waiting window first, so one busy stream cannot starve the rest.
/// </summary>
/// <remarks>Not thread-safe: the model stage guards it with its gate.</remarks>
public sealed class StreamQueues(int perStreamCapacity)
{
    readonly Dictionary<string, Queue<(Observation Window, DateTimeOffset EnqueuedAt, long Order)>> _queues = [];
    long _enqueued;

    public int Count { get; private set; }

    public int PerStreamCapacity { get; } = perStreamCapacity >= 1 ? perStreamCapacity
        : throw new ArgumentOutOfRangeException(nameof(perStreamCapacity), perStreamCapacity, "per-stream capacity must be at least 1.");

    public int CountOf(string stream) => _queues.TryGetValue(stream, out var q) ? q.Count : 0;

    public bool IsFull(string stream) => CountOf(stream) >= PerStreamCapacity;

    /// <summary>When the longest-waiting window entered; null when empty.</summary>
    public DateTimeOffset? OldestEnqueuedAt =>
        Count == 0 ? null : _queues.Values.Where(q => q.Count > 0).Min(q => q.Peek().EnqueuedAt);

    /// <summary>Adds a window to a stream's queue that is not full.</summary>
    public void Enqueue(Observation window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (IsFull(window.Stream)) throw new InvalidOperationException($"stream {window.Stream}'s queue is full ({PerStreamCapacity}); apply the backpressure policy first.");
        if (!_queues.TryGetValue(window.Stream, out var q)) _queues[window.Stream] = q = new();
        q.Enqueue((window, now, _enqueued++));
        Count++;
    }

    /// <summary>Removes and returns a stream's oldest waiting window (the DropOldest victim).</summary>
    public Observation DequeueOldest(string stream)
    {
        var q = _queues[stream];
        var (window, _, _) = q.Dequeue();
        Count--;
        if (q.Count == 0) _queues.Remove(stream);
        return window;
    }

    /// <summary>Takes up to <paramref name="max"/> windows, one per stream per round, oldest stream first.</summary>
    public List<Observation> TakeBatch(int max)
    {
        var batch = new List<Observation>(Math.Min(max, Count));
        while (batch.Count < max && Count > 0)
        {
            // Arrival order, not clock time, so that windows enqueued at the same instant keep their order.
            var round = _queues.OrderBy(kv => kv.Value.Peek().Order).Select(kv => kv.Key).ToList();
            foreach (var stream in round)
            {
                if (batch.Count == max) break;
                batch.Add(DequeueOldest(stream));
            }
        }
        return batch;
    }
}
