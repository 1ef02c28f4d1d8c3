using System.Collections.Concurrent;
using Streaming.Kafka.Consuming;

namespace Streaming.Kafka.Tests.Consuming;

/// <summary>Subscribes to a source and keeps what it emits, so that a test can wait for a number of records.</summary>
internal sealed class RecordsReceived : IDisposable
{
    readonly ConcurrentQueue<InputRecord> records = new();
    readonly IDisposable subscription;
    readonly SemaphoreSlim arrived = new(0);
    Exception? error;

    public RecordsReceived(IObservable<InputRecord> source, Action<InputRecord>? onRecord = null)
    {
        subscription = source.Subscribe(
            record =>
            {
                onRecord?.Invoke(record);
                records.Enqueue(record);
                arrived.Release();
            },
            e =>
            {
                error = e;
                arrived.Release();
            });
    }

    public IReadOnlyList<InputRecord> Records => [.. records];

    /// <summary>Waits until at least <paramref name="count"/> records arrived.</summary>
    public async Task<IReadOnlyList<InputRecord>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (records.Count < count)
        {
            if (error is not null) throw new InvalidOperationException("The source failed.", error);
            try
            {
                await arrived.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Received {records.Count} records, expected {count}.");
            }
        }
        return Records;
    }

    /// <summary>Stops the consumer: it commits what is done and leaves the group before this returns.</summary>
    public void Dispose() => subscription.Dispose();
}
