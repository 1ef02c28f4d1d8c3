using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Streaming.Cli.Hosting;
using Streaming.Kafka.Embedded;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Cli.Commands;

/// <summary><c>streaming run</c>: the service, until Ctrl+C or SIGTERM.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "Settings file (JSON; sections Kafka, Pipeline, Telemetry, Logging). Environment variables STREAMING_<Section>__<Key> and the flags below override it.", DefaultValueFactory = _ => "appsettings.json" };
        var bootstrap = new Option<string?>("--bootstrap-servers") { Description = "Kafka brokers (host:port,...). None configured: an embedded broker starts in this process and its address is printed." };
        var input = new Option<string?>("--input-topic") { Description = "Topic of input messages keyed by stream id (default streaming.skeletons, or streaming.action-labels for --input-kind action-labels)." };
        var inputKind = new Option<string?>("--input-kind") { Description = "What the input topic carries: skeletons (skeleton JSON, the baseline models) or action-labels (action events, schemas/action-event.v1.schema.json, anticipated by ActionLLM)." };
        var anticipator = new Option<string?>("--anticipator") { Description = "ActionLLM checkpoint folder (streaming train anticipator --out) for action-label input." };
        var activity = new Option<string?>("--activity-seconds") { Description = "ActionLLM's time scale: the expected length of one activity, which its durations are fractions of (default 385, the mean 50 Salads video)." };
        inputKind.AcceptOnlyFromAmong("skeletons", "action-labels");
        var output = new Option<string?>("--output-topic") { Description = "Topic for the predictions (default streaming.actions)." };
        var group = new Option<string?>("--group-id") { Description = "Consumer group; instances with the same group share the input partitions." };
        var model = new Option<string?>("--model") { Description = "Model folder: the baseline models (pose-classifier.safetensors and anticipator.json, default samples/baseline) or an MLP of `streaming train mlp` (mlp.json, mlp.safetensors)." };
        var otlp = new Option<string?>("--otlp-endpoint") { Description = "Export traces and metrics over OTLP to this endpoint, e.g. http://localhost:4317." };
        var command = new Command("run",
            "Runs the service: consumes skeleton messages (or action events), windows them per stream, batches windows across streams through the model, publishes " +
            "predictions (schemas/action-prediction.v1.schema.json), dead-letters bad input to <topic>.dlq with the reason, and commits offsets only " +
            "after the outputs are acknowledged.")
        {
            config, bootstrap, input, inputKind, anticipator, activity, output, group, model, otlp,
        };
        command.SetAction((parse, cancellationToken) =>
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
            if (parse.GetValue(inputKind) is { } kind) flags.Add(new("Pipeline:Input", kind == "action-labels" ? nameof(PipelineInput.ActionLabels) : nameof(PipelineInput.Skeletons)));
            Flag(anticipator, "Pipeline:Anticipator");
            Flag(activity, "Pipeline:ActivitySeconds");
            Flag(otlp, "Telemetry:OtlpEndpoint");
            return Run(ServiceConfiguration.Load(parse.GetValue(config)!, flags), cancellationToken);
        });
        return command;
    }

    static async Task<int> Run(ServiceConfiguration settings, CancellationToken cancellationToken)
    {
        var logger = new ConsoleLog("streaming", settings.LogLevel);
        using var endpoint = KafkaEndpoint.Open(settings.Kafka);
        if (endpoint.Broker is not null) Console.WriteLine($"embedded broker: {endpoint.BootstrapServers}");
        IActionModel model = settings.Pipeline.Input == PipelineInput.ActionLabels
            ? AnticipatorFolder.Load(settings.Pipeline.Anticipator, TimeSpan.FromSeconds(settings.Pipeline.ActivitySeconds))
            : SkeletonModelFolder.Load(settings.Pipeline.Model, TimeSpan.FromSeconds(settings.Pipeline.HorizonSeconds));
        using var export = TelemetryExport.Start(settings.Telemetry);
        using var telemetry = new PipelineTelemetry(logger);
        using var service = new StreamingService(settings.Kafka, endpoint.BootstrapServers, model, settings.Pipeline, telemetry, logger);
        logger.LogInformation("consuming {Input} -> {Output} with model {Model} (Ctrl+C stops)", string.Join(",", settings.Kafka.InputTopics), settings.Kafka.OutputTopic, model.Id);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var progress = new PeriodicTimer(TimeSpan.FromSeconds(10));
        try
        {
            while (!service.Stopped.IsCompleted && await progress.WaitForNextTickAsync(stop.Token))
                logger.LogInformation("{Published} predictions published, {DeadLettered} records dead-lettered", service.Published, service.DeadLettered);
            await service.Stopped;
        }
        catch (OperationCanceledException)
        {
            logger.LogInformation("stopping: {Published} predictions published, {DeadLettered} records dead-lettered", service.Published, service.DeadLettered);
        }
        return 0;
    }
}
