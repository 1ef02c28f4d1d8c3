using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NJsonSchema;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Tests.Interop;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;

namespace Streaming.Service.Tests;

/// <summary>
/// The service as other programs see it: kcat writes skeleton messages (good and bad) into the input topic of a
/// running service on the embedded broker and reads the output and dead-letter topics; every output validates against
/// schemas/action-prediction.v1.schema.json and every input is accounted for.
/// </summary>
public sealed class ServiceEndToEndTests
{
    [Fact]
    public async Task KcatInput_GivesSchemaValidPredictions_AndDeadLettersWithReasons()
    {
        var kafka = new KafkaSettings { EmbeddedPartitions = 1 };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;

        // Two seconds of a real UTKinect take (60 frames), stamped as if captured just now, plus three bad messages.
        var take = ReplayCatalog.UtKinect(Path.Combine(RepositoryFiles.Data, "utkinect-action3d"), "s01_e01", DateTimeOffset.UnixEpoch)[0];
        var now = DateTimeOffset.UtcNow.AddSeconds(-3);
        var frames = take.Frames.Take(60).Select(f => f with { CaptureTime = now + (f.CaptureTime - DateTimeOffset.UnixEpoch) }).ToList();
        var lines = new StringBuilder();
        foreach (var f in frames) lines.Append(f.Stream).Append('\t').Append(Encoding.UTF8.GetString(SkeletonFrameJson.Serialize(f))).Append('\n');
        var goodJson = Encoding.UTF8.GetString(SkeletonFrameJson.Serialize(frames[0] with { Stream = "cam-bad", Sequence = 1 }));
        lines.Append("cam-bad\tnot json at all\n");
        lines.Append("cam-bad\t").Append(goodJson.Replace("\"kinect20\"", "\"kinect99\"", StringComparison.Ordinal)).Append('\n');
        using (var doc = JsonDocument.Parse(goodJson))
        {
            var joints = doc.RootElement.GetProperty("joints").EnumerateArray().Take(12).Select(j => j.GetRawText());
            lines.Append("cam-bad\t").Append(goodJson[..goodJson.IndexOf("\"joints\"", StringComparison.Ordinal)]).Append("\"joints\":[").Append(string.Join(",", joints)).Append("]}\n");
        }
        await Kcat.Run(lines.ToString(), "-b", bootstrap, "-P", "-t", kafka.InputTopics[0], "-K\t");

        var model = BaselineModelFolder.Load(Path.Combine(RepositoryFiles.Root, "samples", "baseline"), TimeSpan.FromSeconds(20));
        using var telemetry = new PipelineTelemetry();
        // The backlog arrives in one burst: room for every window, so that none is dropped by backpressure.
        var pipeline = new PipelineSettings { IdleTimeoutSeconds = 2, PerStreamCapacity = 64 };
        using (var service = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            // 60 frames, windows of 15 every 3: 16 predictions; the three bad messages and the frames of no full window go to the DLQ.
            await ServiceFeed.Until(() => service.Published >= 16 && service.DeadLettered >= 3, "16 predictions and 3 dead letters", 40);
            await Task.Delay(500);
            Assert.Equal(16, service.Published);
        }

        var outputs = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.OutputTopic, "-e", "-o", "beginning", "-f", "%k\t%s\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(16, outputs.Length);
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "action-prediction.v1.schema.json"));
        foreach (var line in outputs)
        {
            var (key, json) = (line[..line.IndexOf('\t', StringComparison.Ordinal)], line[(line.IndexOf('\t', StringComparison.Ordinal) + 1)..]);
            Assert.Equal("utkinect-s01_e01", key);
            var errors = schema.Validate(json);
            Assert.True(errors.Count == 0, $"output does not match the schema: {string.Join("; ", errors)}\n{json}");
        }
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), outputs.Select(l => ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(l[(l.IndexOf('\t', StringComparison.Ordinal) + 1)..])).WindowId));

        var dead = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.InputTopics[0] + ".dlq", "-e", "-o", "beginning", "-f", "%o|%h\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var reasons = dead.Select(d => d.Split("dlq.reason=")[1].Split(',')[0]).ToList();
        Assert.Equal(["not-json", "unknown-layout", "joint-count"], reasons.Where(r => r != "incomplete-window"));
        // Every input offset ends in an output window or in the DLQ: 60 frames in full windows (0..59 cover 16 windows of 15 every 3 = frames 0..59).
        Assert.All(dead, d => Assert.Contains("dlq.source.topic=" + kafka.InputTopics[0], d));
        Assert.Contains(dead, d => d.Contains("dlq.source.offset=" + (60).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    /// <summary>
    /// `streaming publish --dataset ntu --file f.skeleton` into `streaming run` with the shipped kinect20 baseline: an NTU
    /// RGB+D file (two seconds of a UTKinect take written in the published .skeleton format, as no NTU recording is among
    /// the shared datasets) is served through the canonical skeleton; a coco17 stream beside it is dead-lettered
    /// unserved-layout.
    /// </summary>
    [Fact]
    public async Task NtuSkeletonFile_Replayed_GivesPredictions_Coco17IsDeadLettered()
    {
        var kafka = new KafkaSettings { EmbeddedPartitions = 1 };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;
        var ntu = await PublishNtuFileAndCoco17(kafka, bootstrap);
        Assert.Equal(60, ntu.Frames.Count);

        var model = BaselineModelFolder.Load(Path.Combine(RepositoryFiles.Root, "samples", "baseline"), TimeSpan.FromSeconds(20));
        using var telemetry = new PipelineTelemetry();
        var pipeline = new PipelineSettings { IdleTimeoutSeconds = 2, PerStreamCapacity = 64 };
        using (var service = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            await ServiceFeed.Until(() => service.Published >= 16 && service.DeadLettered >= 60, "16 predictions and 60 dead letters", 40);
            await Task.Delay(500);
            Assert.Equal(16, service.Published);
            Assert.Equal(60, service.DeadLettered);
        }

        var keys = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.OutputTopic, "-e", "-o", "beginning", "-f", "%k\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Repeat(ntu.Id, 16), keys);
        var dead = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.InputTopics[0] + ".dlq", "-e", "-o", "beginning", "-f", "%k|%h\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(60, dead.Length);
        Assert.All(dead, d => Assert.StartsWith("coco|", d, StringComparison.Ordinal));
        Assert.All(dead, d => Assert.Contains("dlq.reason=unserved-layout", d, StringComparison.Ordinal));
        Assert.Contains("sends coco17: coco17 is an image-plane layout without depth", dead[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// The same NTU RGB+D file and coco17 stream into `streaming run` with the shipped LLM-AR models: the 3-D model
    /// (samples/llm-ar) serves the ntu25 file through the canonical skeleton and dead-letters coco17 unserved-layout; the
    /// 2-D model (samples/llm-ar-2d) serves both. 60 frames in 30-frame windows with hop 15 give 3 windows per stream.
    /// </summary>
    [Theory]
    [InlineData("llm-ar", 3, 60)]
    [InlineData("llm-ar-2d", 6, 0)]
    public async Task NtuSkeletonFile_Replayed_ThroughLlmAr(string sample, int predictions, int deadLetters)
    {
        var kafka = new KafkaSettings { EmbeddedPartitions = 1 };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;
        var ntu = await PublishNtuFileAndCoco17(kafka, bootstrap);

        var model = SkeletonModelFolder.LoadLlmAr(Path.Combine(RepositoryFiles.Root, "samples", sample), TimeSpan.FromSeconds(20));
        using var telemetry = new PipelineTelemetry();
        var pipeline = new PipelineSettings { IdleTimeoutSeconds = 2, PerStreamCapacity = 64, WindowFrames = 30, HopFrames = 15 };
        using (var service = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            await ServiceFeed.Until(() => service.Published >= predictions && service.DeadLettered >= deadLetters, $"{predictions} predictions and {deadLetters} dead letters", 60);
            await Task.Delay(500);
            Assert.Equal(predictions, service.Published);
            Assert.Equal(deadLetters, service.DeadLettered);
        }
        var keys = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.OutputTopic, "-e", "-o", "beginning", "-f", "%k\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, keys.Count(k => k == ntu.Id));
        Assert.Equal(predictions - 3, keys.Count(k => k == "coco"));
    }

    /// <summary>
    /// Publishes two seconds of a UTKinect take written as an NTU RGB+D .skeleton file and replayed as `publish --dataset ntu`
    /// does, and the same take as a coco17 stream "coco"; returns the replayed NTU stream.
    /// </summary>
    static async Task<RecordedStream> PublishNtuFileAndCoco17(KafkaSettings kafka, string bootstrap)
    {
        var kinect = ServiceFeed.Frames("kinect", 0, 60);
        var file = Path.Combine(Path.GetTempPath(), $"S001C001P001R001A{Guid.NewGuid().ToString("N")[..6]}.skeleton");
        ModelFolders.LayoutStreams.WriteNtuSkeletonFile(file, kinect);
        var ntu = ReplayCatalog.Ntu(file, kinect[0].CaptureTime);
        File.Delete(file);
        await ServiceFeed.Publish(kafka, bootstrap, ntu.Frames.Concat(kinect.Select(f => ModelFolders.LayoutStreams.Coco17(f, "coco"))));
        return ntu;
    }
}
