using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;

namespace Streaming.Service.Tests;

/// <summary>
/// A graceful stop on the embedded broker: the drain publishes every window formed, commits, and leaves the frames that
/// wait for a window uncommitted, so the next member of the group forms those windows from them and nothing is formed twice.
/// </summary>
public sealed class DrainTests
{
    [Fact]
    public async Task Drain_PublishesFormedWindows_NextMemberFormsTheRest_NoDuplicates()
    {
        // The mock cluster holds a rebalance after a member leaves for the session timeout: 6 s (the least allowed), not 45.
        var kafka = new KafkaSettings
        {
            EmbeddedPartitions = 1, GroupId = "drain-" + Guid.NewGuid().ToString("N")[..8], CommitInterval = TimeSpan.FromMilliseconds(100),
            ConsumerProperties = new Dictionary<string, string> { ["session.timeout.ms"] = "6000" },
        };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;
        var model = BaselineModelFolder.Load(Path.Combine(RepositoryFiles.Root, "samples", "baseline"), TimeSpan.FromSeconds(20));
        var pipeline = new PipelineSettings { PerStreamCapacity = 64 };
        var outputs = new List<ActionPrediction>();
        using var reader = ServiceFeed.Read(kafka, bootstrap, outputs);

        // Stream a: 60 frames, 16 windows of 15 every 3. Stream b: 10 frames, short of its first window.
        await ServiceFeed.Publish(kafka, bootstrap, ServiceFeed.Frames("a", 0, 60));
        await ServiceFeed.Publish(kafka, bootstrap, ServiceFeed.Frames("b", 0, 10));
        using (var telemetry = new PipelineTelemetry())
        using (var first = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, NullLogger.Instance))
        {
            await ServiceFeed.Until(() => first.Published == 16, "16 predictions of stream a");
            Assert.True(await first.DrainAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, telemetry.WindowsInFlight);
            Assert.Equal(0, first.DeadLettered);
        }
        // Frames 48..59 of a also belong to a's windows 16..19, which need frames yet to come, and b's frames to its first
        // window: they stay uncommitted for the next member.
        Assert.Equal(48, ServiceFeed.Committed(bootstrap, kafka.GroupId, kafka.InputTopics[0]));

        await ServiceFeed.Publish(kafka, bootstrap, ServiceFeed.Frames("b", 10, 15));
        using (var telemetry = new PipelineTelemetry())
        using (var second = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, NullLogger.Instance))
        {
            await ServiceFeed.Until(() => second.Published == 1, "stream b's window from the frames the first member left", 30,
                () => $"assigned {second.Assigned.IsCompleted} dead {second.DeadLettered} inflight {telemetry.WindowsInFlight} published {second.Published}");
            Assert.True(await second.DrainAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, second.DeadLettered);
        }
        // a's tail still waits for a's next frames; nothing of it was dead-lettered or formed twice.
        Assert.Equal(48, ServiceFeed.Committed(bootstrap, kafka.GroupId, kafka.InputTopics[0]));

        await ServiceFeed.Until(() => ServiceFeed.Count(outputs) == 17, "17 predictions downstream");
        await Task.Delay(500);
        List<ActionPrediction> seen;
        lock (outputs) seen = [.. outputs];
        Assert.Equal(17, seen.Count);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => ("a", (long)i)).Append(("b", 0L)), seen.Select(p => (p.Stream, p.WindowId)).Order());
    }
}
