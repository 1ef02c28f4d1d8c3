using Streaming.Kafka.Tests.Accounting;

namespace Streaming.Kafka.Tests.Interop;

/// <summary>kcat, an independent Kafka client, writes our input topic and reads our output topic.</summary>
public sealed class KcatInteropTests
{
    [Fact]
    public async Task Kcat_ProducesInputAndConsumesOutput_ThroughOurPipeline()
    {
        using var cluster = new KafkaTestCluster(partitions: 1);
        var bootstrap = cluster.BootstrapServers;
        await Kcat.Run("cam-1:walk\ncam-2:wave\ncam-1:bad frame\ncam-3:sit down\n", "-b", bootstrap, "-P", "-t", KafkaTestCluster.Input, "-K:");

        using var pipeline = new UppercasePipeline(cluster.Settings, bootstrap);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (pipeline.Handled.Count < 4 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await pipeline.StopAsync();

        var outputs = await Kcat.Run(null, "-b", bootstrap, "-C", "-t", KafkaTestCluster.Output, "-e", "-o", "beginning", "-f", "%k=%s|%h\\n");
        var lines = outputs.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["cam-1=WALK", "cam-2=WAVE", "cam-3=SIT DOWN"], lines.Select(l => l.Split('|')[0]));
        Assert.Contains("source.offset=3", lines[2]);

        var dead = await Kcat.Run(null, "-b", bootstrap, "-C", "-t", KafkaTestCluster.Input + ".dlq", "-e", "-o", "beginning", "-f", "%k=%s|%h\\n");
        Assert.StartsWith("cam-1=bad frame|", dead);
        Assert.Contains($"dlq.reason={UppercasePipeline.InvalidReason}", dead);
        Assert.Contains("dlq.source.offset=2", dead);
    }
}
