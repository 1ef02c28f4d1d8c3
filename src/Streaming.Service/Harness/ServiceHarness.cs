using Microsoft.Extensions.Logging;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Consuming;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Producing;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Telemetry;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Video.Pose;

namespace Streaming.Service.Harness;

/// <summary>
/// The service and what runs beside it in one process, as <c>run</c>, <c>demo</c> and <c>bench</c> use it: the Kafka
/// endpoint (an embedded broker with the service's topics when no bootstrap servers are configured), the pose model for
/// camera-frame input, the service, and optionally a producer for replays and a viewer that reads the output topic as a
/// downstream consumer would.
/// </summary>
public sealed class ServiceHarness : IDisposable
{
    readonly KafkaEndpoint endpoint;
    readonly IDisposable? viewer;
    readonly TaskCompletionSource viewerAssigned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    KafkaSink? producer;

    /// <param name="view">Called on the viewer's thread with each prediction on the output topic and the time it arrived; null: no viewer.</param>
    /// <param name="logging">Logs under the categories Streaming.Pipeline (inputs rejected, windows dropped, streams expired) and Streaming.Service (settlement, rebalances).</param>
    /// <param name="video">Frame input: the pose model to load (<see cref="ServicePoseModel"/>) and its batches; defaults (MoveNet Lightning) when null.</param>
    public ServiceHarness(KafkaSettings kafka, PipelineSettings pipeline, IActionModel model, ILoggerFactory logging, Action<ActionPrediction, DateTimeOffset>? view = null,
        VideoSettings? video = null)
    {
        Kafka = kafka;
        endpoint = KafkaEndpoint.Open(kafka);
        try
        {
            Telemetry = new PipelineTelemetry(logging.CreateLogger(PipelineTelemetry.Name));
            if (pipeline.Input == PipelineInput.Frames)
            {
                video ??= new VideoSettings();
                PoseModel = ServicePoseModel.Load(video, logging.CreateLogger<OnnxPoseModel>());
            }
            Service = new StreamingService(kafka, endpoint.BootstrapServers, model, pipeline, Telemetry, logging.CreateLogger<StreamingService>(),
                frames: PoseModel is null ? null : new PoseFrameAnalyzer(PoseModel), video: video);
            if (view is null)
            {
                viewerAssigned.TrySetResult();
                return;
            }
            var viewerSettings = kafka with
            {
                GroupId = kafka.GroupId + "-viewer", ClientId = kafka.ClientId + "-viewer", InputTopics = [kafka.OutputTopic], OutputTopic = kafka.OutputTopic + ".unused",
            };
            viewer = KafkaSource.Create(viewerSettings, endpoint.BootstrapServers, _ => viewerAssigned.TrySetResult()).Subscribe(record =>
            {
                view(ActionPredictionJson.Deserialize(record.Value), DateTimeOffset.UtcNow);
                record.MarkDone();
            });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public KafkaSettings Kafka { get; }

    public string BootstrapServers => endpoint.BootstrapServers;

    /// <summary>The in-process broker, or null when the settings name an external cluster.</summary>
    public EmbeddedBroker? Broker => endpoint.Broker;

    public StreamingService Service { get; } = null!;

    public PipelineTelemetry Telemetry { get; } = null!;

    /// <summary>The pose model of frame input (null for other inputs), owned by the harness.</summary>
    public OnnxPoseModel? PoseModel { get; }

    /// <summary>A producer to the same cluster, for replaying recorded streams into the input topic.</summary>
    public KafkaSink Producer => producer ??= new KafkaSink(Kafka, BootstrapServers);

    /// <summary>Completes when the service (and the viewer, if any) hold their partitions: a replay started after this loses nothing to a group forming.</summary>
    public Task Ready => Task.WhenAll(Service.Assigned, viewerAssigned.Task);

    public void Dispose()
    {
        viewer?.Dispose();
        producer?.Dispose();
        Service?.Dispose();
        PoseModel?.Dispose();
        Telemetry?.Dispose();
        endpoint.Dispose();
    }
}
