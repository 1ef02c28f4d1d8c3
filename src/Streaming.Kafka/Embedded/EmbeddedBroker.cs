using System.Runtime.InteropServices;
using Streaming.Kafka.Native;
using Streaming.Kafka.Topics;

namespace Streaming.Kafka.Embedded;

/// <summary>
/// librdkafka's mock cluster running in this process: a real Kafka-protocol broker set on 127.0.0.1
/// with consumer groups and broker up/down fault injection. Used when no bootstrap servers are
/// configured, by the demo, by <c>streaming broker</c> and by the tests.
/// </summary>
/// <remarks>Broker ids run from 1 to <see cref="BrokerCount"/>. State lives in memory and ends with <see cref="Dispose"/>.</remarks>
public sealed class EmbeddedBroker : IDisposable
{
    readonly RdKafkaHandle client;
    readonly MockClusterHandle cluster;

    /// <param name="brokerCount">Number of brokers in the cluster, at least 1.</param>
    /// <exception cref="PlatformNotSupportedException">The process is not linux-x64.</exception>
    /// <exception cref="DllNotFoundException">librdkafka.redist's library is missing from the build output or cannot be loaded.</exception>
    public EmbeddedBroker(int brokerCount = 1)
    {
        if (brokerCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerCount), brokerCount, "An embedded broker needs at least 1 broker.");
        }
        LibRdKafka.EnsureLoaded();
        BrokerCount = brokerCount;
        client = NewClient();
        cluster = MockClusterInterop.rd_kafka_mock_cluster_new(client, brokerCount);
        if (cluster.IsInvalid)
        {
            client.Dispose();
            throw new InvalidOperationException($"librdkafka could not start a mock cluster of {brokerCount} brokers.");
        }
        cluster.Attach(client);
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterInterop.rd_kafka_mock_cluster_bootstraps(cluster))
            ?? throw new InvalidOperationException("librdkafka's mock cluster reported no bootstrap servers.");
    }

    /// <summary>Comma-separated <c>host:port</c> list to give clients as <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    /// <summary>Creates <paramref name="name"/> with <paramref name="partitions"/> partitions.</summary>
    /// <param name="replicationFactor">Replicas per partition; defaults to min(3, broker count).</param>
    public void CreateTopic(string name, int partitions, int? replicationFactor = null)
    {
        TopicName.Validate(name, nameof(name));
        if (partitions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, $"Topic '{name}' needs at least 1 partition.");
        }
        var replicas = replicationFactor ?? Math.Min(3, BrokerCount);
        if (replicas < 1 || replicas > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicas, $"Replication factor of topic '{name}' must be between 1 and the broker count {BrokerCount}.");
        }
        Check(MockClusterInterop.rd_kafka_mock_topic_create(Cluster, name, partitions, replicas), $"create topic '{name}' with {partitions} partitions");
    }

    /// <summary>Makes <paramref name="brokerId"/> the leader of one partition (the topic is created if absent).</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        TopicName.Validate(topic, nameof(topic));
        ValidateBrokerId(brokerId);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        Check(MockClusterInterop.rd_kafka_mock_partition_set_leader(Cluster, topic, partition, brokerId), $"make broker {brokerId} the leader of {topic} [{partition}]");
    }

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of consumer group <paramref name="groupId"/>.</summary>
    public void SetGroupCoordinator(string groupId, int brokerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        ValidateBrokerId(brokerId);
        Check(MockClusterInterop.rd_kafka_mock_coordinator_set(Cluster, "group", groupId, brokerId), $"make broker {brokerId} the coordinator of group '{groupId}'");
    }

    /// <summary>Disconnects broker <paramref name="brokerId"/> and refuses new connections; leadership does not move.</summary>
    public void SetBrokerDown(int brokerId)
    {
        ValidateBrokerId(brokerId);
        Check(MockClusterInterop.rd_kafka_mock_broker_set_down(Cluster, brokerId), $"set broker {brokerId} down");
    }

    /// <summary>Lets broker <paramref name="brokerId"/> accept connections again.</summary>
    public void SetBrokerUp(int brokerId)
    {
        ValidateBrokerId(brokerId);
        Check(MockClusterInterop.rd_kafka_mock_broker_set_up(Cluster, brokerId), $"set broker {brokerId} up");
    }

    public void Dispose()
    {
        cluster.Dispose();
        client.Dispose();
    }

    MockClusterHandle Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(cluster.IsClosed, this);
            return cluster;
        }
    }

    void ValidateBrokerId(int brokerId)
    {
        if (brokerId < 1 || brokerId > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"Broker ids of this embedded cluster run from 1 to {BrokerCount}.");
        }
    }

    static void Check(int error, string action)
    {
        if (error != MockClusterInterop.NoError)
        {
            throw new InvalidOperationException($"The embedded broker could not {action}: {MockClusterInterop.ErrorText(error)}.");
        }
    }

    static unsafe RdKafkaHandle NewClient()
    {
        const int errorCapacity = 512;
        var error = stackalloc byte[errorCapacity];
        var conf = MockClusterInterop.rd_kafka_conf_new();
        // The bookkeeping client connects nowhere; warnings only, so it does not log "no bootstrap.servers".
        if (MockClusterInterop.rd_kafka_conf_set(conf, "log_level", "4", error, errorCapacity) != 0)
        {
            MockClusterInterop.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"librdkafka rejected log_level for the mock cluster's client: {Marshal.PtrToStringUTF8((IntPtr)error)}");
        }
        var rk = MockClusterInterop.rd_kafka_new(MockClusterInterop.ProducerType, conf, error, errorCapacity);
        if (rk.IsInvalid)
        {
            MockClusterInterop.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"librdkafka could not create the mock cluster's client: {Marshal.PtrToStringUTF8((IntPtr)error)}");
        }
        return rk;
    }
}
