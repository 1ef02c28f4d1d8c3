namespace Streaming.Pipeline.Batching;

/// <summary>
/// Items waiting for a model (windows for the recognizer, camera frames for the pose model), one bounded FIFO per
/// stream (<paramref name="streamOf"/>). Batches are taken round-robin across streams, the stream with the oldest waiting
/// item first, so one busy stream cannot starve the rest.
/// </summary>
/// <remarks>Not thread-safe: the stage that uses it guards it with its gate.</remarks>
public sealed class StreamQueues<T>(int perStreamCapacity, Func<T, string> streamOf)
{
    readonly Dictionary<string, Queue<(T Item, DateTimeOffset EnqueuedAt, long Order)>> _queues = [];
    readonly Func<T, string> _streamOf = streamOf ?? throw new ArgumentNullException(nameof(streamOf));
    long _enqueued;

    public int Count { get; private set; }

    public int PerStreamCapacity { get; } = perStreamCapacity >= 1 ? perStreamCapacity
        : throw new ArgumentOutOfRangeException(nameof(perStreamCapacity), perStreamCapacity, "per-stream capacity must be at least 1.");

    public int CountOf(string stream) => _queues.TryGetValue(stream, out var q) ? q.Count : 0;

    public bool IsFull(string stream) => CountOf(stream) >= PerStreamCapacity;

    /// <summary>When the longest-waiting item entered; null when empty.</summary>
    public DateTimeOffset? OldestEnqueuedAt =>
        Count == 0 ? null : _queues.Values.Where(q => q.Count > 0).Min(q => q.Peek().EnqueuedAt);

    /// <summary>Adds an item to its stream's queue, which must not be full.</summary>
    public void Enqueue(T item, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        var stream = _streamOf(item);
        if (IsFull(stream)) throw new InvalidOperationException($"stream {stream}'s queue is full ({PerStreamCapacity}); apply the backpressure policy first.");
        if (!_queues.TryGetValue(stream, out var q)) _queues[stream] = q = new();
        q.Enqueue((item, now, _enqueued++));
        Count++;
    }

    /// <summary>Removes and returns a stream's oldest waiting item (the DropOldest victim).</summary>
    public T DequeueOldest(string stream)
    {
        var q = _queues[stream];
        var (item, _, _) = q.Dequeue();
        Count--;
        if (q.Count == 0) _queues.Remove(stream);
        return item;
    }

    /// <summary>Takes up to <paramref name="max"/> items, one per stream per round, oldest stream first.</summary>
    public List<T> TakeBatch(int max)
    {
        var batch = new List<T>(Math.Min(max, Count));
        while (batch.Count < max && Count > 0)
        {
            // Arrival order, not clock time, so that items enqueued at the same instant keep their order.
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
