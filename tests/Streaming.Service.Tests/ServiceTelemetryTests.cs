using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Telemetry;
using Streaming.Kafka.Tests.Interop;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;

namespace Streaming.Service.Tests;

/// <summary>
/// The running service's traces and metrics, seen by in-box listeners, on the embedded broker: each input frame carries
/// a traceparent of its own trace; the predictions read back by kcat continue the traces, and the spans and the
/// latency and lag instruments say what happened.
/// </summary>
public sealed class ServiceTelemetryTests
{
    const int Frames = 30;

    [Fact]
    public async Task TracedFrames_PredictionsContinueTheirTraces_SpansLinked_LatencyAndLagRecorded()
    {
        var group = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var kafka = new KafkaSettings { EmbeddedPartitions = 1, GroupId = group };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;
        using var spans = new SpanRecorder(PipelineTelemetry.Name, KafkaTracing.SourceName);

        // One second of a real UTKinect take, captured from 3 s ago, each frame the child of an upstream span of its own trace.
        var stream = group + "-cam";
        var take = ReplayCatalog.UtKinect(Path.Combine(RepositoryFiles.Data, "utkinect-action3d"), "s01_e01", DateTimeOffset.UnixEpoch)[0];
        var origin = DateTimeOffset.UtcNow.AddSeconds(-3);
        var frames = take.Frames.Take(Frames).Select(f => f with { Stream = stream, CaptureTime = origin + (f.CaptureTime - DateTimeOffset.UnixEpoch) }).ToList();
        var upstream = frames.Select(_ => new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true)).ToList();
        using (var sink = new KafkaSink(kafka, bootstrap))
        {
            for (int i = 0; i < Frames; i++)
                await sink.PublishAsync(kafka.InputTopics[0], Encoding.UTF8.GetBytes(stream), SkeletonFrameJson.Serialize(frames[i]), TraceContextHeaders.Inject(upstream[i]));
        }

        var model = BaselineModelFolder.Load(Path.Combine(RepositoryFiles.Root, "samples", "baseline"), TimeSpan.FromSeconds(20));
        using var telemetry = new PipelineTelemetry();
        var latencies = new ConcurrentQueue<(string Instrument, double Value)>();
        var lags = new ConcurrentQueue<long>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, telemetry.Meter) || instrument.Name == KafkaMetrics.ConsumerLagName) listener.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, _, _) => latencies.Enqueue((instrument.Name, value)));
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            // The lag gauge is process-wide: keep this service's consumer group only.
            foreach (var tag in tags)
                if (tag.Key == "group" && Equals(tag.Value, group) && instrument.Name == KafkaMetrics.ConsumerLagName) lags.Enqueue(value);
        });
        meters.Start();

        // 30 frames, windows of 15 every 3: 6 predictions.
        const int windows = (Frames - 15) / 3 + 1;
        var pipeline = new PipelineSettings { PerStreamCapacity = 64 };
        using (var service = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            var deadline = DateTime.UtcNow.AddSeconds(40);
            while ((service.Published < windows || lags.LastOrDefault(-1) != 0) && DateTime.UtcNow < deadline)
            {
                meters.RecordObservableInstruments();
                await Task.Delay(50);
            }
            Assert.Equal(windows, service.Published);
        }
        Assert.Equal(0, lags.Last());
        Assert.All(lags, lag => Assert.InRange(lag, 0, Frames));

        // The process span of each frame is the child of its upstream context.
        var process = upstream.Select(u => Assert.Single(spans.Stopped, s => s.TraceId == u.TraceId && s.Source.Name == KafkaTracing.SourceName)).ToList();
        for (int i = 0; i < Frames; i++)
        {
            Assert.Equal(KafkaTracing.ProcessSpanName(kafka.InputTopics[0]), process[i].OperationName);
            Assert.Equal(upstream[i].SpanId, process[i].ParentSpanId);
        }

        // Window w holds frames 3w..3w+14: a child of its last frame's process span, linked to all of them.
        var windowSpans = spans.Named(PipelineTelemetry.WindowSpanName, "stream", stream).ToDictionary(s => (long)s.GetTagItem("window.id")!);
        Assert.Equal(windows, windowSpans.Count);
        foreach (var (id, span) in windowSpans)
        {
            var members = process.Skip(3 * (int)id).Take(15).ToList();
            Assert.Equal(members[^1].TraceId, span.TraceId);
            Assert.Equal(members[^1].SpanId, span.ParentSpanId);
            Assert.Equal(members.Select(m => m.Context), span.Links.Select(l => l.Context));
            Assert.Equal("published", span.GetTagItem("outcome"));
        }
        var batched = spans.Stopped.Where(s => s.OperationName == PipelineTelemetry.InferenceSpanName)
            .SelectMany(s => s.Links).Select(l => l.Context).ToHashSet();
        Assert.All(windowSpans.Values, w => Assert.Contains(w.Context, batched));

        // Each prediction on the output topic carries its window span's traceparent: same trace as the window's last input frame.
        var outputs = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.OutputTopic, "-e", "-o", "beginning", "-f", "%h\t%s\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(windows, outputs.Length);
        foreach (var line in outputs)
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var prediction = ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(line[(tab + 1)..]));
            var headers = line[..tab].Split(',').Select(h => h.Split('=', 2)).Select(kv => new KeyValuePair<string, byte[]>(kv[0], Encoding.ASCII.GetBytes(kv[1]))).ToList();
            var carried = TraceContextHeaders.Extract(headers);
            Assert.Equal(upstream[3 * (int)prediction.WindowId + 14].TraceId, carried.TraceId);
            Assert.Equal(windowSpans[prediction.WindowId].SpanId, carried.SpanId);
        }

        // The model ran in at least one batch, each taking some time; every prediction's latency counts from its newest
        // frame's capture (at least 2 s ago, as the take was captured from 3 s ago) to the broker's acknowledgement.
        var modelLatency = latencies.Where(l => l.Instrument == PipelineTelemetry.ModelLatencyName).Select(l => l.Value).ToList();
        Assert.NotEmpty(modelLatency);
        Assert.All(modelLatency, ms => Assert.InRange(ms, 1e-6, 10_000));
        var endToEnd = latencies.Where(l => l.Instrument == PipelineTelemetry.EndToEndLatencyName).Select(l => l.Value).ToList();
        Assert.Equal(windows, endToEnd.Count);
        Assert.All(endToEnd, ms => Assert.InRange(ms, 1_000, 60_000));
    }
}
