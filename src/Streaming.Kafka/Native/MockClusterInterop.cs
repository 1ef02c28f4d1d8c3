using System.Runtime.InteropServices;

namespace Streaming.Kafka.Native;

/// <summary>The librdkafka calls we make ourselves (rdkafka.h, rdkafka_mock.h): those behind <see cref="Embedded.EmbeddedBroker"/>, and its version.</summary>
internal static unsafe partial class MockClusterInterop
{
    /// <summary>RD_KAFKA_PRODUCER: the mock cluster needs a client handle for its bookkeeping; a producer is the lightest.</summary>
    public const int ProducerType = 0;

    /// <summary>RD_KAFKA_RESP_ERR_NO_ERROR.</summary>
    public const int NoError = 0;

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial void rd_kafka_conf_destroy(IntPtr conf);

    /// <returns>RD_KAFKA_CONF_OK (0) or an error described in <paramref name="errstr"/>.</returns>
    [LibraryImport(LibRdKafka.ImportName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success only.</summary>
    [LibraryImport(LibRdKafka.ImportName)]
    public static partial RdKafkaHandle rd_kafka_new(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial MockClusterHandle rd_kafka_mock_cluster_new(RdKafkaHandle rk, int brokerCount);

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(MockClusterHandle cluster);

    [LibraryImport(LibRdKafka.ImportName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(MockClusterHandle cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(LibRdKafka.ImportName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_leader(MockClusterHandle cluster, string topic, int partition, int brokerId);

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of a group (<paramref name="keyType"/> "group") or transaction ("transaction").</summary>
    [LibraryImport(LibRdKafka.ImportName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_coordinator_set(MockClusterHandle cluster, string keyType, string key, int brokerId);

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial int rd_kafka_mock_broker_set_down(MockClusterHandle cluster, int brokerId);

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial int rd_kafka_mock_broker_set_up(MockClusterHandle cluster, int brokerId);

    [LibraryImport(LibRdKafka.ImportName)]
    public static partial IntPtr rd_kafka_err2str(int error);

    /// <summary>The loaded library's version, e.g. "2.16.0"; a static string.</summary>
    [LibraryImport(LibRdKafka.ImportName)]
    public static partial IntPtr rd_kafka_version_str();

    public static string ErrorText(int error) => Marshal.PtrToStringUTF8(rd_kafka_err2str(error)) ?? $"error {error}";

    public static string VersionText() => Marshal.PtrToStringUTF8(rd_kafka_version_str()) ?? "";
}

/// <summary>Owns an rd_kafka_t; destroyed after every mock cluster that refers to it.</summary>
internal sealed class RdKafkaHandle : SafeHandle
{
    public RdKafkaHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        MockClusterInterop.rd_kafka_destroy(handle);
        return true;
    }
}

/// <summary>Owns an rd_kafka_mock_cluster_t and keeps its client handle alive until the cluster is gone.</summary>
internal sealed class MockClusterHandle : SafeHandle
{
    RdKafkaHandle? client;

    public MockClusterHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Pins <paramref name="owner"/> so that the client outlives the cluster that runs on its threads.</summary>
    public void Attach(RdKafkaHandle owner)
    {
        var added = false;
        owner.DangerousAddRef(ref added);
        client = owner;
    }

    protected override bool ReleaseHandle()
    {
        MockClusterInterop.rd_kafka_mock_cluster_destroy(handle);
        client?.DangerousRelease();
        return true;
    }
}
