using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Batching;

/// <summary>
/// The micro-batcher both model stages run on, per subscription: one gate over the per-stream queues, the busy flag and
/// the observer (as Rx's Throttle keeps one gate), one pending max-wait timer. While the worker is idle, a batch of up to
/// <see cref="MicroBatchOptions.MaxBatchSize"/> items (round-robin across streams) goes to <see cref="Compute"/> on the
/// worker scheduler as soon as it is full or its oldest item has waited <see cref="MicroBatchOptions.MaxWait"/>; a full
/// stream queue applies the <see cref="BackpressurePolicy"/>. A subclass says what a batch computes and how its items
/// are settled.
/// </summary>
abstract class MicroBatchStage<TItem, TOutput>(IObserver<TOutput> observer, MicroBatchOptions options, IScheduler scheduler, IScheduler workScheduler,
    Func<TItem, string> streamOf) : IDisposable
{
    // A plain object, not System.Threading.Lock: the Block policy waits on it with Monitor.Wait.
    readonly object _gate = new();
    readonly StreamQueues<TItem> _queues = new(options.PerStreamCapacity, streamOf);
    readonly SerialDisposable _timer = new();
    DateTimeOffset? _timerDue;
    bool _busy, _completed, _done;

    protected IObserver<TOutput> Observer => observer;
    protected MicroBatchOptions Options => options;
    protected IScheduler Scheduler => scheduler;

    /// <summary>Under the gate, before queueing: a reason to settle the item at once instead (null: queue it).</summary>
    protected virtual Rejection? Refusal(TItem item) => null;

    /// <summary>Under the gate: settles an item that will not be computed (refused, or dropped by the backpressure policy).</summary>
    protected abstract void Drop(TItem item, Rejection rejection);

    /// <summary>What an item is, in messages: "window", "frame".</summary>
    protected abstract string Noun { get; }

    /// <summary>Under the gate: the message of an item dropped because its stream's queue was full, and why.</summary>
    protected abstract string Dropped(TItem item, string why);

    /// <summary>Under the gate: items entered the queues (+) or left them for a batch or a drop (-).</summary>
    protected abstract void Queued(int delta);

    /// <summary>Under the gate: a batch left the queues for the worker.</summary>
    protected virtual void Dispatched(int size) { }

    /// <summary>Under the gate: a batch's computation ended, settled or failed.</summary>
    protected virtual void Finished(int size) { }

    /// <summary>
    /// On the worker scheduler, outside the gate (it may take long): computes the batch and returns what settles it,
    /// run under the gate. An exception fails the batch (<see cref="Fail"/>).
    /// </summary>
    protected abstract Action Compute(List<TItem> batch, DateTimeOffset dispatched);

    /// <summary>Under the gate: settles a batch whose computation threw.</summary>
    protected abstract void Fail(List<TItem> batch, Exception failure);

    public void OnNext(TItem item)
    {
        lock (_gate)
        {
            if (_done) return;
            if (Refusal(item) is { } refusal)
            {
                Drop(item, refusal);
                return;
            }
            var stream = streamOf(item);
            if (_queues.IsFull(stream))
            {
                switch (options.Policy)
                {
                    case BackpressurePolicy.Block:
                        while (_queues.IsFull(stream) && !_done) Monitor.Wait(_gate);
                        if (_done) return;
                        break;
                    case BackpressurePolicy.DropOldest:
                        var oldest = _queues.DequeueOldest(stream);
                        Queued(-1);
                        Drop(oldest, new Rejection(RejectionReason.BackpressureDropOldest, Dropped(oldest, $"its stream's queue was full and a newer {Noun} arrived")));
                        break;
                    case BackpressurePolicy.DropNewest:
                        Drop(item, new Rejection(RejectionReason.BackpressureDropNewest, Dropped(item, "its stream's queue was full")));
                        return;
                }
            }
            _queues.Enqueue(item, scheduler.Now);
            Queued(1);
            TryDispatch();
        }
    }

    public void OnError(Exception error)
    {
        lock (_gate)
        {
            if (_done) return;
            _done = true;
            Monitor.PulseAll(_gate);
            observer.OnError(error);
        }
    }

    public void OnCompleted()
    {
        lock (_gate)
        {
            if (_done) return;
            _completed = true;
            TryDispatch();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _done = true;
            Monitor.PulseAll(_gate);
        }
        _timer.Dispose();
    }

    /// <summary>Under the gate: sends a batch if the worker is idle and one is due, else arms the max-wait timer.</summary>
    void TryDispatch()
    {
        if (_busy || _done) return;
        if (_queues.Count == 0)
        {
            if (_completed) { _done = true; observer.OnCompleted(); }
            return;
        }
        var now = scheduler.Now;
        var due = _queues.OldestEnqueuedAt!.Value + options.MaxWait;
        if (_queues.Count < options.MaxBatchSize && !_completed && now < due)
        {
            if (_timerDue != due)
            {
                _timerDue = due;
                _timer.Disposable = scheduler.Schedule(due, () => { lock (_gate) { _timerDue = null; TryDispatch(); } });
            }
            return;
        }
        var batch = _queues.TakeBatch(options.MaxBatchSize);
        Dispatched(batch.Count);
        _busy = true;
        Monitor.PulseAll(_gate);
        workScheduler.Schedule(() => Run(batch, now));
    }

    void Run(List<TItem> batch, DateTimeOffset dispatched)
    {
        Action? settle = null;
        Exception? failure = null;
        try
        {
            settle = Compute(batch, dispatched);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failure = e;
        }
        lock (_gate)
        {
            _busy = false;
            Finished(batch.Count);
            if (_done) return;
            if (settle is not null) settle();
            else Fail(batch, failure!);
            TryDispatch();
        }
    }
}
