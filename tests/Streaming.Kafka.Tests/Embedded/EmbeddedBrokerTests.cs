using System.Net.Sockets;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;

namespace Streaming.Kafka.Tests.Embedded;

public sealed class EmbeddedBrokerTests
{
    [Fact]
    public void BootstrapServers_ThreeBrokers_AcceptConnectionsUntilDisposed()
    {
        string[] addresses;
        using (var broker = new EmbeddedBroker(3))
        {
            addresses = broker.BootstrapServers.Split(',');
            Assert.Equal(3, addresses.Length);
            foreach (var address in addresses)
            {
                using var client = new TcpClient();
                var port = int.Parse(address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
                client.Connect("127.0.0.1", port);
                Assert.True(client.Connected);
            }
        }
        var first = int.Parse(addresses[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<SocketException>(() => new TcpClient().Connect("127.0.0.1", first));
    }

    [Fact]
    public void CreateTopic_Twice_ThrowsNamingTheTopic()
    {
        using var broker = new EmbeddedBroker();
        broker.CreateTopic("frames", 2);
        var error = Assert.Throws<InvalidOperationException>(() => broker.CreateTopic("frames", 2));
        Assert.Contains("'frames'", error.Message);
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("has space", 1)]
    [InlineData("frames", 0)]
    public void CreateTopic_BadArguments_Throws(string name, int partitions)
    {
        using var broker = new EmbeddedBroker();
        Assert.ThrowsAny<ArgumentException>(() => broker.CreateTopic(name, partitions));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void SetBrokerDown_UnknownBroker_ThrowsWithTheValidRange(int brokerId)
    {
        using var broker = new EmbeddedBroker(3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => broker.SetBrokerDown(brokerId));
        Assert.Contains("from 1 to 3", error.Message);
    }

    [Fact]
    public void Constructor_NoBrokers_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddedBroker(0));
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var broker = new EmbeddedBroker();
        broker.Dispose();
        Assert.Throws<ObjectDisposedException>(() => broker.CreateTopic("late", 1));
    }

    [Fact]
    public void KafkaEndpoint_NoBootstrapServers_StartsABrokerWithTheTopics()
    {
        var settings = new KafkaSettings { InputTopics = ["skeletons"], OutputTopic = "actions", EmbeddedPartitions = 2 };
        using var endpoint = KafkaEndpoint.Open(settings);
        Assert.NotNull(endpoint.Broker);
        Assert.Equal(endpoint.Broker.BootstrapServers, endpoint.BootstrapServers);
        // Already created by Open: creating again fails.
        Assert.Throws<InvalidOperationException>(() => endpoint.Broker.CreateTopic("skeletons.dlq", 2));
        Assert.Throws<InvalidOperationException>(() => endpoint.Broker.CreateTopic("actions", 2));
    }

    [Fact]
    public void KafkaEndpoint_BootstrapServers_UsesThemAndStartsNothing()
    {
        using var endpoint = KafkaEndpoint.Open(new KafkaSettings { BootstrapServers = "kafka:9092" });
        Assert.Null(endpoint.Broker);
        Assert.Equal("kafka:9092", endpoint.BootstrapServers);
    }
}
