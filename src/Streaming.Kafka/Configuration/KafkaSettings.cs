using Microsoft.Extensions.Configuration;
using Streaming.Kafka.Topics;

namespace Streaming.Kafka.Configuration;

/// <summary>
/// Where and how Streaming talks to Kafka. Bound from the <c>Kafka</c> section of configuration
/// (appsettings.json, <c>STREAMING_Kafka__...</c> environment variables, command-line flags);
/// see <see cref="KafkaConfiguration"/>.
/// </summary>
public sealed record KafkaSettings
{
    public const string SectionName = "Kafka";

    /// <summary><c>host:port</c> list; empty starts an <see cref="Embedded.EmbeddedBroker"/> in-process.</summary>
    public string BootstrapServers { get; init; } = "";

    /// <summary>Consumer group sharing the input partitions.</summary>
    public string GroupId { get; init; } = "streaming";

    /// <summary>Prefix of the client ids the broker logs; consumer and producer get ".consumer" and ".producer".</summary>
    public string ClientId { get; init; } = "streaming";

    /// <summary>Topics consumed, keyed by stream id.</summary>
    public IReadOnlyList<string> InputTopics { get; init; } = [StreamingTopics.Skeletons.Name];

    /// <summary>Topic of the recognition results, keyed by stream id.</summary>
    public string OutputTopic { get; init; } = StreamingTopics.Predictions.Name;

    /// <summary>How often librdkafka commits, in the background, the offsets of finished records; they are also committed on stop and on revocation.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Brokers of the embedded cluster when <see cref="BootstrapServers"/> is empty.</summary>
    public int EmbeddedBrokers { get; init; } = 1;

    /// <summary>Partitions of each topic the embedded cluster creates.</summary>
    public int EmbeddedPartitions { get; init; } = 3;

    /// <summary>Raw librdkafka properties passed through to both clients (SASL, SSL, timeouts), e.g. <c>sasl.mechanism</c>.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Raw librdkafka properties for the consumer only (e.g. <c>session.timeout.ms</c>); they override <see cref="Properties"/>.</summary>
    public IReadOnlyDictionary<string, string> ConsumerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>Raw librdkafka properties for the producer only (e.g. <c>linger.ms</c>); they override <see cref="Properties"/>.</summary>
    public IReadOnlyDictionary<string, string> ProducerProperties { get; init; } = new Dictionary<string, string>();

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);

    /// <summary>librdkafka properties Streaming sets itself because they define its delivery guarantees or have a setting of their own (Kafka:CommitIntervalMs).</summary>
    public static readonly IReadOnlySet<string> ReservedProperties = new HashSet<string>(StringComparer.Ordinal)
    {
        "bootstrap.servers", "group.id", "client.id", "enable.auto.commit", "enable.auto.offset.store", "auto.commit.interval.ms",
        "enable.idempotence", "acks", "request.required.acks",
    };

    /// <summary>Binds and validates the <c>Kafka</c> section of <paramref name="configuration"/>.</summary>
    /// <exception cref="KafkaConfigurationException">A value is missing or malformed.</exception>
    public static KafkaSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var defaults = new KafkaSettings();
        var settings = new KafkaSettings
        {
            BootstrapServers = section[nameof(BootstrapServers)] ?? defaults.BootstrapServers,
            GroupId = section[nameof(GroupId)] ?? defaults.GroupId,
            ClientId = section[nameof(ClientId)] ?? defaults.ClientId,
            InputTopics = ReadTopics(section, nameof(InputTopics)) ?? defaults.InputTopics,
            OutputTopic = section[nameof(OutputTopic)] ?? defaults.OutputTopic,
            CommitInterval = TimeSpan.FromMilliseconds(ReadInt(section, "CommitIntervalMs", (int)defaults.CommitInterval.TotalMilliseconds)),
            EmbeddedBrokers = ReadInt(section, nameof(EmbeddedBrokers), defaults.EmbeddedBrokers),
            EmbeddedPartitions = ReadInt(section, nameof(EmbeddedPartitions), defaults.EmbeddedPartitions),
            Properties = section.GetSection(nameof(Properties)).Get<Dictionary<string, string>>() ?? defaults.Properties,
            ConsumerProperties = section.GetSection(nameof(ConsumerProperties)).Get<Dictionary<string, string>>() ?? defaults.ConsumerProperties,
            ProducerProperties = section.GetSection(nameof(ProducerProperties)).Get<Dictionary<string, string>>() ?? defaults.ProducerProperties,
        };
        settings.Validate();
        return settings;
    }

    /// <exception cref="KafkaConfigurationException">A value is out of range or a topic name is invalid.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(GroupId)) throw Invalid(nameof(GroupId), GroupId, "a non-empty consumer group id");
        if (string.IsNullOrWhiteSpace(ClientId)) throw Invalid(nameof(ClientId), ClientId, "a non-empty client id");
        if (InputTopics.Count == 0) throw Invalid(nameof(InputTopics), "", "at least one input topic");
        foreach (var topic in InputTopics)
        {
            if (!TopicName.IsValid(topic)) throw Invalid(nameof(InputTopics), topic, TopicRule);
        }
        if (!TopicName.IsValid(OutputTopic)) throw Invalid(nameof(OutputTopic), OutputTopic, TopicRule);
        if (InputTopics.Contains(OutputTopic)) throw Invalid(nameof(OutputTopic), OutputTopic, "a topic other than the input topics (outputs would be consumed again)");
        if (CommitInterval <= TimeSpan.Zero) throw Invalid("CommitIntervalMs", CommitInterval.TotalMilliseconds.ToString(), "a positive number of milliseconds");
        if (EmbeddedBrokers < 1) throw Invalid(nameof(EmbeddedBrokers), EmbeddedBrokers.ToString(), "at least 1 broker");
        if (EmbeddedPartitions < 1) throw Invalid(nameof(EmbeddedPartitions), EmbeddedPartitions.ToString(), "at least 1 partition");
        ValidatePassThrough(nameof(Properties), Properties);
        ValidatePassThrough(nameof(ConsumerProperties), ConsumerProperties);
        ValidatePassThrough(nameof(ProducerProperties), ProducerProperties);
    }

    static void ValidatePassThrough(string group, IReadOnlyDictionary<string, string> properties)
    {
        foreach (var (name, value) in properties)
        {
            if (ReservedProperties.Contains(name))
            {
                throw new KafkaConfigurationException($"{SectionName}:{group}:{name}",
                    $"Kafka property '{name}' (value '{value}') cannot be passed through: Streaming sets it itself " +
                    "because it defines delivery (at-least-once consumer, idempotent producer) or has its own setting.");
            }
        }
    }

    const string TopicRule = "a Kafka topic name: 1 to 249 characters from a-z, A-Z, 0-9, '.', '_', '-'";

    static KafkaConfigurationException Invalid(string name, string value, string expected) =>
        new($"{SectionName}:{name}", $"Invalid Kafka setting {SectionName}:{name} = '{value}': expected {expected}.");

    static int ReadInt(IConfigurationSection section, string name, int fallback)
    {
        var text = section[name];
        if (text is null) return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(name, text, "a whole number");
    }

    /// <summary>Accepts a comma-separated string (handy in flags and environment variables) or a JSON array.</summary>
    static string[]? ReadTopics(IConfigurationSection section, string name)
    {
        if (section[name] is { } list) return list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var items = section.GetSection(name).GetChildren().Select(child => child.Value ?? "").ToArray();
        return items.Length == 0 ? null : items;
    }
}
