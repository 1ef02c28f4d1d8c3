using System.Globalization;
using System.Text;
using NJsonSchema;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Tests.Interop;
using Streaming.Kafka.Topics;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Telemetry;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Video.Pose;
using Streaming.Video.Tests.Fixtures;

namespace Streaming.Service.Tests;

/// <summary>
/// The service on camera-frame input, on the embedded broker: JPEG frames of two cameras (a stick figure drawn as
/// coloured markers, found again by a small geometric pose model) become coco17 windows that samples/llm-ar-2d
/// recognizes; each prediction carries its window's last frame's keypoints. Bad frames of every kind are dead-lettered
/// with their reasons while the service keeps running.
/// </summary>
public sealed class FrameServiceTests
{
    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    static List<KeyValuePair<string, byte[]>> Headers(string format, int width, int height, DateTimeOffset time, long seq) =>
    [
        new(VideoFrame.FormatHeader, Utf8(format)),
        new(VideoFrame.WidthHeader, Utf8(width.ToString(CultureInfo.InvariantCulture))),
        new(VideoFrame.HeightHeader, Utf8(height.ToString(CultureInfo.InvariantCulture))),
        new(VideoFrame.TimeHeader, Utf8(time.ToString("O", CultureInfo.InvariantCulture))),
        new(VideoFrame.SequenceHeader, Utf8(seq.ToString(CultureInfo.InvariantCulture))),
    ];

    [Fact]
    public async Task JpegFrames_GiveLlmAr2dPredictionsWithKeypoints_AndBadFramesDeadLettersWithReasons()
    {
        var configuration = ServiceConfiguration.Load(Path.Combine(RepositoryFiles.Root, "none", "appsettings.json"),
            [new("Pipeline:Input", "Frames"), new("Pipeline:Model", Path.Combine(RepositoryFiles.Root, "samples", "llm-ar-2d")), new("Video:PoseModel", "markers"),
             new("Video:MaxFrameBytes", "200000"), new("Video:FramesQueuedPerStream", "64"),
             new("Pipeline:IdleTimeoutSeconds", "2"), new("Pipeline:PerStreamCapacity", "64"), new("Kafka:EmbeddedPartitions", "1")]);
        Assert.Equal([StreamingTopics.Frames.Name], configuration.Kafka.InputTopics);
        var kafka = configuration.Kafka;
        var topic = kafka.InputTopics[0];
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;

        // Two cameras, 39 frames each at 30 fps captured from 3 s ago: windows of 30 frames every 3 give 4 per camera.
        var start = DateTimeOffset.UtcNow.AddSeconds(-3);
        var good = MarkerFrames.Frame("cam-1", 0, start);
        using (var producer = new KafkaSink(kafka, bootstrap))
        {
            async Task Send(string key, byte[] payload, List<KeyValuePair<string, byte[]>> headers) => await producer.PublishAsync(topic, Utf8(key), payload, headers);
            for (int seq = 0; seq < 39; seq++)
                foreach (var camera in new[] { "cam-1", "cam-2" })
                {
                    var frame = MarkerFrames.Frame(camera, seq, start, shift: camera == "cam-2" ? 40 : 0);
                    await Send(camera, frame.Payload.ToArray(), MarkerFrames.Headers(frame));
                }
            var jpeg = good.Payload.ToArray();
            var garbage = new byte[4000];
            new Random(1).NextBytes(garbage);
            (garbage[0], garbage[1], garbage[^2], garbage[^1]) = ((byte)0xFF, (byte)0xD8, (byte)0xFF, (byte)0xD9);
            var noSeq = Headers("jpeg", MarkerFrames.Width, MarkerFrames.Height, start, 0);
            noSeq.RemoveAt(noSeq.Count - 1);
            await Send("cam-bad", jpeg[..^200], Headers("jpeg", MarkerFrames.Width, MarkerFrames.Height, start, 0));   // truncated-jpeg
            await Send("cam-bad", garbage, Headers("jpeg", MarkerFrames.Width, MarkerFrames.Height, start, 1));        // corrupt-jpeg
            await Send("cam-bad", jpeg, Headers("jpeg", 640, 480, start, 2));                                          // frame-size
            await Send("cam-bad", jpeg, Headers("png", MarkerFrames.Width, MarkerFrames.Height, start, 3));            // unknown-format
            await Send("cam-bad", new byte[400 * 250 * 3], Headers("rgb24", 400, 250, start, 4));                      // oversized
            await Send("cam-bad", jpeg, noSeq);                                                                        // missing-field
            await Send("cam-1", jpeg, MarkerFrames.Headers(good));                                                     // duplicate
        }

        var model = SkeletonModelFolder.Load(configuration.Pipeline.Model, TimeSpan.FromSeconds(configuration.Pipeline.HorizonSeconds));
        using var pose = new MarkerPoseModel();
        using var telemetry = new PipelineTelemetry();
        using (var service = new StreamingService(kafka, bootstrap, model, configuration.Pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
                   frames: new PoseFrameAnalyzer(pose), video: configuration.Video))
        {
            await ServiceFeed.Until(() => service.Published >= 8 && service.DeadLettered >= 7, "8 predictions and 7 dead letters", 60);
            await Task.Delay(500);
            Assert.Equal(8, service.Published);
            Assert.Equal(7, service.DeadLettered);
        }
        // The pose model saw every frame that decoded (the duplicate too: the window builder rejects it), in micro-batches.
        Assert.Equal(2 * 39 + 1, pose.Batches.Sum());
        Assert.True(pose.Batches.Count < 2 * 39 + 1, $"pose batches: {string.Join(",", pose.Batches)}");

        var outputs = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.OutputTopic, "-e", "-o", "beginning", "-f", "%s\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, outputs.Length);
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "action-prediction.v1.schema.json"));
        foreach (var json in outputs)
        {
            var errors = schema.Validate(json);
            Assert.True(errors.Count == 0, $"output does not match the schema: {string.Join("; ", errors)}\n{json}");
            var prediction = ActionPredictionJson.Deserialize(Encoding.UTF8.GetBytes(json));
            Assert.StartsWith("llm-ar-2d@", prediction.ModelId, StringComparison.Ordinal);
            var last = prediction.LastFrame!;
            // A window of 30 frames from seq 3k: its last frame is 3k + 29, captured at the window's end.
            Assert.Equal(prediction.WindowId * 3 + 29, last.Sequence);
            Assert.Equal(prediction.WindowEnd, last.Time);
            var drawn = MarkerFrames.Pose((last.Time - start).TotalSeconds, shift: prediction.Stream == "cam-2" ? 40 : 0);
            for (int j = 0; j < 17; j++)
            {
                Assert.InRange(last.Keypoints[j][0], drawn[2 * j] - 1.5f, drawn[2 * j] + 1.5f);
                Assert.InRange(last.Keypoints[j][1], drawn[2 * j + 1] - 1.5f, drawn[2 * j + 1] + 1.5f);
            }
        }

        var dead = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", StreamingTopics.DeadLettersOf(topic), "-e", "-o", "beginning", "-f", "%h\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["corrupt-jpeg", "duplicate", "frame-size", "missing-field", "oversized", "truncated-jpeg", "unknown-format"],
            dead.Select(d => d.Split("dlq.reason=")[1].Split(',')[0]).Order(StringComparer.Ordinal));
    }
}
