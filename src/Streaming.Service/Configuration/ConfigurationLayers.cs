using Microsoft.Extensions.Configuration;

namespace Streaming.Service.Configuration;

/// <summary>The configuration layers Streaming reads, lowest precedence first.</summary>
public static class ConfigurationLayers
{
    /// <summary>Environment variables with this prefix are read, e.g. <c>STREAMING_Kafka__GroupId</c>.</summary>
    public const string EnvironmentPrefix = "STREAMING_";

    /// <summary>
    /// appsettings.json (optional), then <c>STREAMING_</c> environment variables, then <paramref name="flags"/>
    /// (keys like <c>Kafka:BootstrapServers</c>, added by the CLI from its options).
    /// </summary>
    public static IConfigurationRoot Build(string appSettingsPath, IEnumerable<KeyValuePair<string, string?>>? flags = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appSettingsPath);
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(appSettingsPath), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix);
        if (flags is not null) builder.AddInMemoryCollection(flags);
        return builder.Build();
    }
}
