using System.Collections.Concurrent;
using System.Globalization;
using System.Reactive.Linq;
using System.Text;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.DeadLettering;
using Streaming.Kafka.Producing;

namespace Streaming.Kafka.Tests.Accounting;

/// <summary>
/// The smallest real pipeline over the Kafka edge: each input's value upper-cased to the output topic,
/// values starting with "bad" dead-lettered; a record is marked done only after the broker acknowledged
/// its output or dead letter (at-least-once).
/// </summary>
internal sealed class UppercasePipeline : IDisposable
{
    public const string InvalidReason = "invalid-value";
    public const string SourcePartitionHeader = "source.partition";
    public const string SourceOffsetHeader = "source.offset";

    readonly KafkaSink sink;
    readonly DeadLetters deadLetters;
    readonly IDisposable subscription;
    readonly ConcurrentBag<Task> inFlight = [];
    int received;

    /// <param name="abandonAfter">Ignores records after this many, as a process killed mid-stream loses the records it held.</param>
    public UppercasePipeline(KafkaSettings settings, string bootstrapServers, int abandonAfter = int.MaxValue)
    {
        sink = new KafkaSink(settings, bootstrapServers);
        deadLetters = new DeadLetters(sink);
        subscription = KafkaSource.Create(settings, bootstrapServers).Subscribe(
            record =>
            {
                if (Interlocked.Increment(ref received) <= abandonAfter) inFlight.Add(Handle(record, settings.OutputTopic));
            },
            error => Failure = error);
    }

    /// <summary>(partition, offset) of every input whose output or dead letter the broker acknowledged.</summary>
    public ConcurrentBag<(int Partition, long Offset)> Handled { get; } = [];

    public Exception? Failure { get; private set; }

    async Task Handle(InputRecord record, string outputTopic)
    {
        var value = Encoding.UTF8.GetString(record.Value ?? []);
        if (value.StartsWith("bad", StringComparison.Ordinal))
        {
            await deadLetters.PublishAsync(record, InvalidReason);
        }
        else
        {
            await sink.PublishAsync(outputTopic, record.Key, Encoding.UTF8.GetBytes(value.ToUpperInvariant()),
            [
                new(SourcePartitionHeader, Encoding.UTF8.GetBytes(record.Partition.ToString(CultureInfo.InvariantCulture))),
                new(SourceOffsetHeader, Encoding.UTF8.GetBytes(record.Offset.ToString(CultureInfo.InvariantCulture))),
            ]);
        }
        // At-least-once: only now may the input's offset be committed.
        record.MarkDone();
        Handled.Add((record.Partition, record.Offset));
    }

    /// <summary>Stops consuming (a kill from the group's point of view), then lets outputs already sent finish.</summary>
    public async Task StopAsync()
    {
        subscription.Dispose();
        await Task.WhenAll(inFlight);
    }

    public void Dispose()
    {
        subscription.Dispose();
        sink.Dispose();
    }
}
