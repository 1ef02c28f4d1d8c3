using Microsoft.Extensions.Configuration;
using Streaming.Kafka.Configuration;

namespace Streaming.Kafka.Tests.Configuration;

public sealed class KafkaSettingsTests
{
    static KafkaSettings Bind(params (string Key, string Value)[] values) =>
        KafkaSettings.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void FromConfiguration_Empty_DefaultsToTheEmbeddedBroker()
    {
        var settings = Bind();
        Assert.True(settings.UsesEmbeddedBroker);
        Assert.Equal(new KafkaSettings().GroupId, settings.GroupId);
        Assert.Single(settings.InputTopics);
    }

    [Fact]
    public void FromConfiguration_AllValues_Bound()
    {
        var settings = Bind(
            ("Kafka:BootstrapServers", "k1:9092,k2:9092"),
            ("Kafka:GroupId", "recognizers"),
            ("Kafka:ClientId", "edge-3"),
            ("Kafka:InputTopics", "skeletons, frames"),
            ("Kafka:OutputTopic", "actions"),
            ("Kafka:CommitIntervalMs", "250"),
            ("Kafka:EmbeddedBrokers", "3"),
            ("Kafka:EmbeddedPartitions", "6"),
            ("Kafka:Properties:sasl.mechanism", "PLAIN"),
            ("Kafka:Properties:security.protocol", "SASL_SSL"));

        Assert.False(settings.UsesEmbeddedBroker);
        Assert.Equal("k1:9092,k2:9092", settings.BootstrapServers);
        Assert.Equal("recognizers", settings.GroupId);
        Assert.Equal("edge-3", settings.ClientId);
        Assert.Equal(["skeletons", "frames"], settings.InputTopics);
        Assert.Equal("actions", settings.OutputTopic);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.CommitInterval);
        Assert.Equal(3, settings.EmbeddedBrokers);
        Assert.Equal(6, settings.EmbeddedPartitions);
        Assert.Equal("PLAIN", settings.Properties["sasl.mechanism"]);
        Assert.Equal("SASL_SSL", settings.Properties["security.protocol"]);
    }

    [Fact]
    public void FromConfiguration_TopicsAsArray_Bound()
    {
        var settings = Bind(("Kafka:InputTopics:0", "a"), ("Kafka:InputTopics:1", "b"));
        Assert.Equal(["a", "b"], settings.InputTopics);
    }

    [Theory]
    [InlineData("Kafka:CommitIntervalMs", "soon", "Kafka:CommitIntervalMs", "'soon'", "a whole number")]
    [InlineData("Kafka:CommitIntervalMs", "0", "Kafka:CommitIntervalMs", "'0'", "positive")]
    [InlineData("Kafka:EmbeddedBrokers", "0", "Kafka:EmbeddedBrokers", "'0'", "at least 1 broker")]
    [InlineData("Kafka:EmbeddedPartitions", "2.5", "Kafka:EmbeddedPartitions", "'2.5'", "a whole number")]
    [InlineData("Kafka:OutputTopic", "", "Kafka:OutputTopic", "''", "topic name")]
    [InlineData("Kafka:OutputTopic", "streaming.skeletons", "Kafka:OutputTopic", "'streaming.skeletons'", "other than the input topics")]
    [InlineData("Kafka:InputTopics", "ok,no spaces", "Kafka:InputTopics", "'no spaces'", "topic name")]
    [InlineData("Kafka:InputTopics", ",", "Kafka:InputTopics", "''", "at least one input topic")]
    [InlineData("Kafka:GroupId", " ", "Kafka:GroupId", "' '", "consumer group id")]
    [InlineData("Kafka:Properties:enable.auto.commit", "true", "Kafka:Properties:enable.auto.commit", "'true'", "delivery")]
    [InlineData("Kafka:Properties:acks", "1", "Kafka:Properties:acks", "'1'", "idempotent producer")]
    [InlineData("Kafka:ProducerProperties:enable.idempotence", "false", "Kafka:ProducerProperties:enable.idempotence", "'false'", "idempotent producer")]
    [InlineData("Kafka:ConsumerProperties:enable.auto.offset.store", "true", "Kafka:ConsumerProperties:enable.auto.offset.store", "'true'", "at-least-once")]
    public void FromConfiguration_BadValue_ThrowsNamingKeyValueAndExpectation(string key, string value, string reportedKey, string quoted, string expected)
    {
        var error = Assert.Throws<KafkaConfigurationException>(() => Bind((key, value)));
        Assert.Equal(reportedKey, error.Key);
        Assert.Contains(quoted, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ClientConfigs_PassThroughProperties_DeliverySettingsFixed()
    {
        var settings = Bind(("Kafka:Properties:sasl.username", "svc"), ("Kafka:ConsumerProperties:auto.offset.reset", "latest"),
            ("Kafka:Properties:linger.ms", "20"), ("Kafka:ProducerProperties:linger.ms", "2"), ("Kafka:ConsumerProperties:sasl.username", "reader"),
            ("Kafka:CommitIntervalMs", "250"));

        var consumer = KafkaClientConfig.ForConsumer(settings, "k:9092");
        Assert.Equal("reader", consumer.SaslUsername);
        // librdkafka commits in the background only what KafkaSource stored, every commit interval.
        Assert.True(consumer.EnableAutoCommit);
        Assert.Equal(250, consumer.AutoCommitIntervalMs);
        Assert.False(consumer.EnableAutoOffsetStore);
        Assert.Equal(Confluent.Kafka.AutoOffsetReset.Latest, consumer.AutoOffsetReset);
        Assert.Equal("streaming.consumer", consumer.ClientId);

        var producer = KafkaClientConfig.ForProducer(settings, "k:9092");
        Assert.Equal("svc", producer.SaslUsername);
        Assert.Equal(2, producer.LingerMs);
        Assert.Null(producer.Get("auto.offset.reset"));
        Assert.True(producer.EnableIdempotence);
        Assert.Equal(Confluent.Kafka.Acks.All, producer.Acks);
        Assert.Equal("k:9092", producer.BootstrapServers);
    }

    [Fact]
    public void ClientConfigs_Defaults_ProducerLingersAMillisecond_ConsumerFetchWaitShortestOnTheEmbeddedBroker()
    {
        var external = Bind(("Kafka:BootstrapServers", "k:9092"));
        Assert.Equal(1, KafkaClientConfig.ForProducer(external, "k:9092").LingerMs);
        Assert.Equal(10, KafkaClientConfig.ForConsumer(external, "k:9092").FetchWaitMaxMs);
        // No bootstrap servers: the service starts the embedded broker, which holds an empty fetch for the whole wait.
        Assert.Equal(2, KafkaClientConfig.ForConsumer(Bind(), "127.0.0.1:40123").FetchWaitMaxMs);
        Assert.Equal(1, KafkaClientConfig.ForProducer(Bind(), "127.0.0.1:40123").LingerMs);
    }

    [Fact]
    public void ClientConfigs_ConfiguredLingerAndFetchWait_OverrideTheDefaults()
    {
        var settings = Bind(("Kafka:ConsumerProperties:fetch.wait.max.ms", "100"), ("Kafka:ProducerProperties:linger.ms", "5"));
        Assert.Equal(100, KafkaClientConfig.ForConsumer(settings, "127.0.0.1:40123").FetchWaitMaxMs);
        Assert.Equal(5, KafkaClientConfig.ForProducer(settings, "127.0.0.1:40123").LingerMs);
        Assert.Equal(20, KafkaClientConfig.ForConsumer(Bind(("Kafka:Properties:fetch.wait.max.ms", "20")), "k:9092").FetchWaitMaxMs);
    }

    [Fact]
    public void ForConsumer_NoOffsetReset_ReadsFromTheStart()
    {
        Assert.Equal(Confluent.Kafka.AutoOffsetReset.Earliest, KafkaClientConfig.ForConsumer(Bind(), "k:9092").AutoOffsetReset);
    }
}
