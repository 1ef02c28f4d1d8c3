using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Streaming.Kafka.Configuration;

namespace Streaming.Cli.Hosting;

/// <summary>
/// Everything `streaming run` reads, in one place: appsettings.json (or the file given with --config), then
/// <c>STREAMING_</c> environment variables (<c>STREAMING_Kafka__BootstrapServers</c>), then flags, each layer
/// overriding the one before. See samples/appsettings.json for every key.
/// </summary>
public sealed record ServiceConfiguration(KafkaSettings Kafka, PipelineSettings Pipeline, TelemetrySettings Telemetry, LogLevel LogLevel)
{
    public static ServiceConfiguration Load(string appSettingsPath, IEnumerable<KeyValuePair<string, string?>> flags)
    {
        if (!File.Exists(appSettingsPath) && Path.GetFileName(appSettingsPath) != "appsettings.json")
            throw new FileNotFoundException($"configuration file {Path.GetFullPath(appSettingsPath)} not found.", appSettingsPath);
        var configuration = KafkaConfiguration.Build(appSettingsPath, flags);
        var telemetry = configuration.GetSection("Telemetry").Get<TelemetrySettings>() ?? new TelemetrySettings();
        var levelText = configuration["Logging:Level"] ?? "Information";
        if (!Enum.TryParse<LogLevel>(levelText, ignoreCase: true, out var level))
            throw new ArgumentException($"Logging:Level '{levelText}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}.");
        var pipeline = PipelineSettings.FromConfiguration(configuration);
        var kafka = KafkaSettings.FromConfiguration(configuration);
        if (pipeline.Input == PipelineInput.ActionLabels)
        {
            pipeline.ToActionOptions();
            if (string.IsNullOrWhiteSpace(pipeline.Anticipator))
                throw new ArgumentException("Pipeline:Input ActionLabels needs an ActionLLM checkpoint: set Pipeline:Anticipator (--anticipator <folder>), e.g. one `streaming train anticipator` wrote.");
            // Action events have their own topic unless one is configured.
            if (!configuration.GetSection("Kafka:InputTopics").Exists()) kafka = kafka with { InputTopics = [PipelineSettings.ActionLabelTopic] };
        }
        else
        {
            pipeline.ToOptions();
            if (!string.IsNullOrWhiteSpace(pipeline.Anticipator))
                throw new ArgumentException("Pipeline:Anticipator applies to Pipeline:Input ActionLabels; skeleton input runs the baseline models of Pipeline:Model, whose recognizer's actions are not the anticipator's.");
        }
        return new ServiceConfiguration(kafka, pipeline, telemetry.Validate(), level);
    }
}
