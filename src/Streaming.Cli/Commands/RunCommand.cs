using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Streaming.Kafka.Topics;
using Streaming.Service.Configuration;
using Streaming.Service.Hosting;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming run</c>: the service on the generic host, until SIGTERM or Ctrl+C (then a bounded drain).</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Settings file (JSON; sections Kafka, Pipeline, Video, Telemetry, Service, Logging). Environment variables STREAMING_<Section>__<Key> and the flags below override it.", DefaultValueFactory = _ => "appsettings.json" };
        var bootstrap = new Option<string?>("--bootstrap-servers") { Description = "Kafka brokers (host:port,...). None configured: an embedded broker starts in this process and its address is printed." };
        var input = new Option<string?>("--input-topic") { Description = $"Topic of input messages keyed by stream id (default {StreamingTopics.Skeletons.Name}, {StreamingTopics.Frames.Name} for --input-kind frames, {StreamingTopics.ActionLabels.Name} for --input-kind action-labels)." };
        var inputKind = new Option<string?>("--input-kind") { Description = "What the input topic carries: skeletons (skeleton JSON, the model of --model), frames (camera frames, JPEG or rgb24 with format/width/height/time/seq headers: pose by --pose-model, then the 2-D skeleton model of --model, default samples/llm-ar-2d) or action-labels (action events, schemas/action-event.v1.schema.json, anticipated by ActionLLM)." };
        var poseModel = new Option<string?>("--pose-model") { Description = "Pose model for --input-kind frames (Video:PoseModel): lightning (default) or thunder, MoveNet SinglePose installed by scripts/setup.sh and imported to build/models on first use, or a COCO-17 pose model's .onnx file, whose input and output the Video section describes (see samples/appsettings.json)." };
        var anticipator = new Option<string?>("--anticipator") { Description = "ActionLLM checkpoint folder (streaming train anticipator --out): the model of action-label input; with skeleton or frame input, the anticipator of --model's recognitions in place of the folder's own (it must know every action the recognizer names)." };
        var activity = new Option<string?>("--activity-seconds") { Description = "ActionLLM's time scale: the expected length of one activity, which its durations are fractions of (default 385, the mean 50 Salads video)." };
        inputKind.AcceptOnlyFromAmong("skeletons", "frames", "action-labels");
        var output = new Option<string?>("--output-topic") { Description = $"Topic for the predictions (default {StreamingTopics.Predictions.Name})." };
        var group = new Option<string?>("--group-id") { Description = "Consumer group; instances with the same group share the input partitions (scale-out: start more instances)." };
        var model = new Option<string?>("--model") { Description = "Model folder: the baseline models (pose-classifier.safetensors and anticipator.json, default samples/baseline; samples/llm-ar-2d for frames), an MLP of `streaming train mlp` (mlp.json, mlp.safetensors) or LLM-AR of `streaming train llm-ar` (llm-ar.json)." };
        var otlp = new Option<string?>("--otlp-endpoint") { Description = "Export traces and metrics over OTLP to this endpoint, e.g. http://localhost:4317." };
        var telemetry = new Option<string?>("--telemetry") { Description = "console: also write spans and metrics to standard output." };
        telemetry.AcceptOnlyFromAmong("console");
        var prometheus = new Option<string?>("--prometheus-port") { Description = "Serve metrics for Prometheus at http://localhost:<port>/metrics (Telemetry:PrometheusPort; Telemetry:PrometheusHost * binds every interface)." };
        var health = new Option<string?>("--health-port") { Description = "Serve /healthz (alive) and /readyz (model loaded and partitions assigned; 503 before and while draining) on this port (Service:HealthPort)." };
        var drain = new Option<string?>("--drain-timeout") { Description = "Seconds a stop (SIGTERM, Ctrl+C) waits for the windows in flight to be published before committing and leaving the group (Service:DrainTimeoutSeconds, default 10)." };
        var command = new Command("run",
            "Runs the service: consumes skeleton messages (or camera frames through a pose model, or action events), windows them per stream, batches windows across streams through the model, publishes " +
            "predictions (schemas/action-prediction.v1.schema.json), dead-letters bad input to <topic>.dlq with the reason, and commits offsets only " +
            "after the outputs are acknowledged. SIGTERM or Ctrl+C stops consuming, publishes the windows in flight, commits and exits 0 within the drain timeout plus 5 s.")
        {
            config, bootstrap, input, inputKind, poseModel, anticipator, activity, output, group, model, otlp, telemetry, prometheus, health, drain,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var flags = new List<KeyValuePair<string, string?>>();
            void Flag(Option<string?> option, string key)
            {
                if (parse.GetValue(option) is { } value) flags.Add(new(key, value));
            }
            Flag(bootstrap, "Kafka:BootstrapServers");
            Flag(input, "Kafka:InputTopics:0");
            Flag(output, "Kafka:OutputTopic");
            Flag(group, "Kafka:GroupId");
            Flag(model, "Pipeline:Model");
            if (parse.GetValue(inputKind) is { } kind)
                flags.Add(new("Pipeline:Input", kind switch
                {
                    "action-labels" => nameof(PipelineInput.ActionLabels),
                    "frames" => nameof(PipelineInput.Frames),
                    _ => nameof(PipelineInput.Skeletons),
                }));
            Flag(poseModel, "Video:PoseModel");
            Flag(anticipator, "Pipeline:Anticipator");
            Flag(activity, "Pipeline:ActivitySeconds");
            Flag(otlp, "Telemetry:OtlpEndpoint");
            if (parse.GetValue(telemetry) == "console") flags.Add(new("Telemetry:Console", "true"));
            Flag(prometheus, "Telemetry:PrometheusPort");
            Flag(health, "Service:HealthPort");
            Flag(drain, "Service:DrainTimeoutSeconds");
            var configuration = ServiceConfiguration.Layers(parse.GetValue(config)!, flags);
            var settings = ServiceConfiguration.From(configuration);
            using var host = StreamingHost.Build(settings, configuration);
            // RunAsync disposes the host's services when it returns: take the worker first, to read its exit code after.
            var worker = host.Services.GetRequiredService<StreamingWorker>();
            await host.RunAsync(cancellationToken);
            return worker.ExitCode;
        });
        return command;
    }
}
