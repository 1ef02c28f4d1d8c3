using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streaming.Service.Configuration;
using Streaming.Service.Harness;
using Streaming.Service.ModelFolders;

namespace Streaming.Service.Hosting;

/// <summary>
/// <c>streaming run</c> under the generic host: on start, loads the model and starts the service (on an embedded broker
/// when none is configured); while running, logs progress every 10 s; on stop (SIGTERM, Ctrl+C), drains within
/// <see cref="HostSettings.DrainTimeout"/>, commits and leaves the group. A pipeline that fails stops the host with exit code 1.
/// </summary>
public sealed class StreamingWorker(ServiceConfiguration settings, ServiceReadiness readiness, IHostApplicationLifetime lifetime, ILoggerFactory logging,
    ILogger<StreamingWorker> logger)
    : IHostedService, IDisposable
{
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    readonly CancellationTokenSource stopping = new();
    ServiceHarness? harness;
    Task watching = Task.CompletedTask;

    /// <summary>0 after a clean stop, 1 when the pipeline failed.</summary>
    public int ExitCode { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var model = ServiceModel.Load(settings.Pipeline);
        readiness.ModelLoaded();
        harness = new ServiceHarness(settings.Kafka, settings.Pipeline, model, logging, video: settings.Video);
        if (harness.Broker is not null) Console.WriteLine($"embedded broker: {harness.BootstrapServers}");
        if (harness.PoseModel is { } pose)
            logger.LogInformation("pose model {Pose} from {Path} on the {Provider} execution provider, batches of up to {Batch} frames",
                pose.Name, pose.ModelPath, pose.ExecutionProvider, settings.Video.PoseBatchSize);
        logger.LogInformation("consuming {Input} -> {Output} with model {Model} (SIGTERM or Ctrl+C stops after a drain of at most {Drain} s)",
            string.Join(",", settings.Kafka.InputTopics), settings.Kafka.OutputTopic, model.Id, settings.Host.DrainTimeoutSeconds);
        watching = WatchAsync(harness);
        return Task.CompletedTask;
    }

    async Task WatchAsync(ServiceHarness service)
    {
        _ = service.Service.Assigned.ContinueWith(_ => readiness.PartitionsAssigned(), TaskScheduler.Default);
        using var progress = new PeriodicTimer(ProgressInterval);
        try
        {
            while (!service.Service.Stopped.IsCompleted)
            {
                var tick = progress.WaitForNextTickAsync(stopping.Token).AsTask();
                await Task.WhenAny(tick, service.Service.Stopped).ConfigureAwait(false);
                if (tick.IsCompletedSuccessfully)
                    logger.LogInformation("{Published} predictions published, {DeadLettered} records dead-lettered", service.Service.Published, service.Service.DeadLettered);
                if (stopping.IsCancellationRequested) return;
            }
            await service.Service.Stopped.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception error)
        {
            // The service logged the failure; its unsettled records are consumed again after a restart.
            readiness.Failed(error.Message);
            ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await watching.ConfigureAwait(false);
        if (harness is null) return;
        readiness.Draining();
        logger.LogInformation("stopping: draining the windows in flight (at most {Drain} s)", settings.Host.DrainTimeoutSeconds);
        var clock = Stopwatch.StartNew();
        var drained = await harness.Service.DrainAsync(settings.Host.DrainTimeout, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("stopped after a {Outcome} drain of {Ms} ms: {Published} predictions published, {DeadLettered} records dead-lettered; offsets committed",
            drained ? "complete" : "partial", clock.ElapsedMilliseconds, harness.Service.Published, harness.Service.DeadLettered);
        harness.Dispose();
        harness = null;
    }

    public void Dispose()
    {
        harness?.Dispose();
        stopping.Dispose();
    }
}
