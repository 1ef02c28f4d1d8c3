using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Topics;
using Streaming.Service.Telemetry;

namespace Streaming.Service.Configuration;

/// <summary>
/// Everything `streaming run` reads, in one place: appsettings.json (or the file given with --config), then
/// <c>STREAMING_</c> environment variables (<c>STREAMING_Kafka__BootstrapServers</c>), then flags, each layer
/// overriding the one before (<see cref="ConfigurationLayers"/>). See samples/appsettings.json for every key.
/// </summary>
public sealed record ServiceConfiguration(KafkaSettings Kafka, PipelineSettings Pipeline, TelemetrySettings Telemetry, HostSettings Host, LogLevel LogLevel)
{
    /// <summary>The pose model and its frame batches, for <see cref="PipelineInput.Frames"/>.</summary>
    public VideoSettings Video { get; init; } = new();

    /// <summary>The layers from <paramref name="appSettingsPath"/> (absent is fine only for the default appsettings.json) and <paramref name="flags"/>.</summary>
    public static ServiceConfiguration Load(string appSettingsPath, IEnumerable<KeyValuePair<string, string?>> flags) => From(Layers(appSettingsPath, flags));

    /// <summary>The configuration layers themselves, for the host, which reads its own sections (Logging) from them too.</summary>
    public static IConfigurationRoot Layers(string appSettingsPath, IEnumerable<KeyValuePair<string, string?>> flags)
    {
        if (!File.Exists(appSettingsPath) && Path.GetFileName(appSettingsPath) != "appsettings.json")
            throw new FileNotFoundException($"configuration file {Path.GetFullPath(appSettingsPath)} not found.", appSettingsPath);
        return ConfigurationLayers.Build(appSettingsPath, flags);
    }

    /// <summary>Binds and checks every section; throws with the key at fault.</summary>
    public static ServiceConfiguration From(IConfiguration configuration)
    {
        var telemetry = Bind<TelemetrySettings>(configuration, TelemetrySettings.SectionName);
        var host = Bind<HostSettings>(configuration, HostSettings.SectionName);
        var levelText = configuration["Logging:Level"] ?? "Information";
        if (!Enum.TryParse<LogLevel>(levelText, ignoreCase: true, out var level))
            throw new ArgumentException($"Logging:Level '{levelText}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}.");
        var pipeline = Bind<PipelineSettings>(configuration, PipelineSettings.SectionName);
        var kafka = KafkaSettings.FromConfiguration(configuration);
        var video = Bind<VideoSettings>(configuration, VideoSettings.SectionName);
        // Unset or empty: the input's own default (pose gives coco17 skeletons, which the 2-D LLM-AR model serves).
        if (string.IsNullOrWhiteSpace(configuration["Pipeline:Model"]))
            pipeline = pipeline with { Model = pipeline.Input == PipelineInput.Frames ? PipelineSettings.DefaultFrameModel : new PipelineSettings().Model };
        if (pipeline.Input == PipelineInput.Frames)
        {
            pipeline.ToFrameOptions(video);
            video.Validate();
            // Camera frames have their own topic unless one is configured.
            if (!configuration.GetSection("Kafka:InputTopics").Exists()) kafka = kafka with { InputTopics = [StreamingTopics.Frames.Name] };
        }
        if (pipeline.Input == PipelineInput.ActionLabels)
        {
            pipeline.ToActionOptions();
            if (string.IsNullOrWhiteSpace(pipeline.Anticipator))
                throw new ArgumentException("Pipeline:Input ActionLabels needs an ActionLLM checkpoint: set Pipeline:Anticipator (--anticipator <folder>), e.g. one `streaming train anticipator` wrote.");
            // Action events have their own topic unless one is configured.
            if (!configuration.GetSection("Kafka:InputTopics").Exists()) kafka = kafka with { InputTopics = [StreamingTopics.ActionLabels.Name] };
        }
        else
        {
            pipeline.ToOptions();
            // An ActionLLM checkpoint with skeleton (or frame) input anticipates from the recognizer's past.
            if (!string.IsNullOrWhiteSpace(pipeline.Anticipator)) pipeline.ValidateActivity();
        }
        return new ServiceConfiguration(kafka, pipeline, telemetry.Validate(), host.Validate(), level) { Video = video };
    }

    static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        try
        {
            return configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"configuration section '{section}': {e.Message}", e);
        }
    }
}
