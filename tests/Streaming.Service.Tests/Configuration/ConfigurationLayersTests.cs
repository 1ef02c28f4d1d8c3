using Streaming.Kafka.Configuration;
using Streaming.Service.Configuration;

namespace Streaming.Service.Tests.Configuration;

/// <summary>Sets process environment variables: the only tests that read them, so no other class sees them.</summary>
public sealed class ConfigurationLayersTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("streaming-kafka-config").FullName;
    readonly string variable = ConfigurationLayers.EnvironmentPrefix + "Kafka__GroupId";
    readonly string clientVariable = ConfigurationLayers.EnvironmentPrefix + "Kafka__ClientId";

    string AppSettings(string json)
    {
        var path = Path.Combine(directory, "appsettings.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Build_Layers_FlagsOverEnvironmentOverJson()
    {
        var path = AppSettings("""{"Kafka": {"GroupId": "from-json", "ClientId": "json-client", "OutputTopic": "json-out", "Properties": {"sasl.mechanism": "SCRAM-SHA-256"}}}""");
        Environment.SetEnvironmentVariable(variable, "from-env");
        Environment.SetEnvironmentVariable(clientVariable, "env-client");

        var settings = KafkaSettings.FromConfiguration(ConfigurationLayers.Build(path, [new("Kafka:ClientId", "flag-client")]));

        Assert.Equal("from-env", settings.GroupId);
        Assert.Equal("flag-client", settings.ClientId);
        Assert.Equal("json-out", settings.OutputTopic);
        Assert.Equal("SCRAM-SHA-256", settings.Properties["sasl.mechanism"]);
    }

    [Fact]
    public void Build_MissingAppSettings_UsesDefaults()
    {
        var settings = KafkaSettings.FromConfiguration(ConfigurationLayers.Build(Path.Combine(directory, "absent.json")));
        Assert.True(settings.UsesEmbeddedBroker);
    }

    [Fact]
    public void Build_BadNumberInJson_ThrowsNamingTheKey()
    {
        var path = AppSettings("""{"Kafka": {"EmbeddedBrokers": "three"}}""");
        var error = Assert.Throws<KafkaConfigurationException>(() => KafkaSettings.FromConfiguration(ConfigurationLayers.Build(path)));
        Assert.Equal("Kafka:EmbeddedBrokers", error.Key);
        Assert.Contains("'three'", error.Message);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(variable, null);
        Environment.SetEnvironmentVariable(clientVariable, null);
        Directory.Delete(directory, recursive: true);
    }
}
