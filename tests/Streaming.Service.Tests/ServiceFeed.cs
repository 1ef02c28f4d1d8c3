using System.Text;
using Confluent.Kafka;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.Producing;
using Streaming.Pipeline.Contracts;
using Streaming.Service.Replay;

namespace Streaming.Service.Tests;

/// <summary>Real UTKinect skeleton frames into the input topic, a downstream reader of the output topic, and the group's committed offsets.</summary>
static class ServiceFeed
{
    /// <summary>Frames <paramref name="from"/>..<paramref name="to"/> (exclusive) of take s01_e01 as stream <paramref name="stream"/>, captured from 3 s ago.</summary>
    public static IReadOnlyList<SkeletonFrame> Frames(string stream, int from, int to)
    {
        var take = ReplayCatalog.UtKinect(Path.Combine(RepositoryFiles.Data, "utkinect-action3d"), "s01_e01", DateTimeOffset.UnixEpoch)[0];
        var origin = DateTimeOffset.UtcNow.AddSeconds(-3);
        return take.Frames.Take(to).Skip(from).Select(f => f with { Stream = stream, CaptureTime = origin + (f.CaptureTime - DateTimeOffset.UnixEpoch) }).ToList();
    }

    public static async Task Publish(KafkaSettings kafka, string bootstrap, IEnumerable<SkeletonFrame> frames)
    {
        using var sink = new KafkaSink(kafka, bootstrap);
        foreach (var f in frames) await sink.PublishAsync(kafka.InputTopics[0], Encoding.UTF8.GetBytes(f.Stream), SkeletonFrameJson.Serialize(f));
    }

    /// <summary>Every prediction on the output topic, read by a consumer group of its own.</summary>
    public static IDisposable Read(KafkaSettings kafka, string bootstrap, List<ActionPrediction> into)
    {
        var settings = kafka with { GroupId = "reader-" + Guid.NewGuid().ToString("N")[..8], InputTopics = [kafka.OutputTopic], OutputTopic = kafka.OutputTopic + ".unused" };
        return KafkaSource.Create(settings, bootstrap).Subscribe(record =>
        {
            lock (into) into.Add(ActionPredictionJson.Deserialize(record.Value));
            record.MarkDone();
        });
    }

    public static int Count(List<ActionPrediction> predictions)
    {
        lock (predictions) return predictions.Count;
    }

    /// <summary>The offset <paramref name="group"/> committed on partition 0 of <paramref name="topic"/> (-1001 if none).</summary>
    public static long Committed(string bootstrap, string group, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group }).Build();
        return consumer.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10))[0].Offset.Value;
    }

    public static async Task Until(Func<bool> condition, string what, double seconds = 30, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {what} within {seconds} s{(state is null ? "" : ": " + state())}");
            await Task.Delay(50);
        }
    }
}
