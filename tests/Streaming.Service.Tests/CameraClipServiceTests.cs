using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Tests.Interop;
using Streaming.Kafka.Topics;
using Streaming.Pipeline.Contracts;
using Streaming.Service.Configuration;
using Streaming.Service.Harness;
using Streaming.Service.Ingest;
using Streaming.Service.ModelFolders;
using Streaming.Video.Ingest;

namespace Streaming.Service.Tests;

/// <summary>
/// A real clip end to end on the embedded broker: demo.mp4 published frame by frame by the video publisher, the service
/// as `streaming run --input-kind frames` composes it (MoveNet Lightning on ONNX Runtime, then samples/llm-ar-2d), and
/// every frame accounted for: in a window that was predicted, or dead-lettered.
/// </summary>
public sealed class CameraClipServiceTests
{
    /// <summary>Stamps capture times as if the clip had been recorded just now: the service sees neither late nor future frames.</summary>
    sealed class EarlierClock(TimeSpan earlier) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() - earlier;
    }

    /// <summary>How far past the border, as a fraction of the frame, a keypoint may lie.</summary>
    const float Overshoot = 0.08f;

    [Fact]
    public async Task DemoClip_ThroughMoveNetLightningAndLlmAr2d_PredictsEveryWindow_WithKeypointsInsideTheFrame()
    {
        const int clipFrames = 280, width = 340, height = 256;
        var configuration = ServiceConfiguration.Load(Path.Combine(RepositoryFiles.Root, "none", "appsettings.json"),
            [new("Pipeline:Input", "Frames"), new("Pipeline:IdleTimeoutSeconds", "3"), new("Pipeline:PerStreamCapacity", "128"),
             new("Video:FramesQueuedPerStream", "512"), new("Video:IntraOpThreads", "1"), new("Kafka:EmbeddedPartitions", "1")]);
        Assert.Equal(Path.Combine("samples", "llm-ar-2d"), configuration.Pipeline.Model);
        var pipeline = configuration.Pipeline with { Model = Path.Combine(RepositoryFiles.Root, configuration.Pipeline.Model) };
        var model = ServiceModel.Load(pipeline);
        var predictions = new List<ActionPrediction>();
        using var harness = new ServiceHarness(configuration.Kafka, pipeline, model, NullLoggerFactory.Instance, (p, _) => { lock (predictions) predictions.Add(p); },
            configuration.Video);
        Assert.StartsWith("movenet-lightning (onnxruntime, cpu)", harness.PoseModel!.Name, StringComparison.Ordinal);
        await harness.Ready.WaitAsync(TimeSpan.FromSeconds(60));

        // As fast as it decodes, stamped as the 10 s recording that ended a moment ago.
        var source = new VideoFrameSource(VideoSourceAddress.Parse(Path.Combine(RepositoryFiles.Data, "videos", "demo.mp4")), "demo",
            new VideoSourceOptions { Speed = 0 }, time: new EarlierClock(TimeSpan.FromSeconds(10)));
        var sent = await VideoPublisher.PublishAsync(harness.Producer, configuration.Kafka.InputTopics[0], [source], 85, null, CancellationToken.None);
        Assert.Equal(clipFrames, sent.Frames);

        // Windows of 30 frames every 3: the last starts at 249 and ends at 278; frame 279 fills no window.
        var window = pipeline.ForModel(model).WindowFrames;
        var hop = pipeline.HopFrames;
        var windows = (clipFrames - window) / hop + 1;
        await ServiceFeed.Until(() => { lock (predictions) return predictions.Count >= windows && harness.Service.DeadLettered >= clipFrames - ((windows - 1) * hop + window); },
            $"{windows} predictions and the frames after the last window dead-lettered", 240);
        await Task.Delay(1000);
        Assert.Equal(windows, predictions.Count);
        Assert.Equal(Enumerable.Range(0, windows).Select(i => (long)i), predictions.Select(p => p.WindowId).Order());
        foreach (var prediction in predictions)
        {
            Assert.StartsWith("llm-ar-2d@", prediction.ModelId, StringComparison.Ordinal);
            var last = prediction.LastFrame!;
            Assert.Equal(prediction.WindowId * hop + window - 1, last.Sequence);
            Assert.Equal((width, height, "coco17", 17), (last.Width, last.Height, last.Layout, last.Keypoints.Count));
            // In the frame's pixels. MoveNet places a keypoint at a heatmap cell plus a regressed offset, which can reach past
            // the border (here up to 13 px, 5% of the height, for a wrist at the bottom edge); the overlay clips them.
            foreach (var k in last.Keypoints)
            {
                Assert.InRange(k[2], 0f, 1f);
                Assert.InRange(k[0], -Overshoot * width, (1 + Overshoot) * width);
                Assert.InRange(k[1], -Overshoot * height, (1 + Overshoot) * height);
            }
        }
        // A close-up of two people arm-wrestling, no legs in view: MoveNet is sure of a few upper-body keypoints in most frames.
        var best = predictions.Select(p => p.LastFrame!.Keypoints.Max(k => k[2])).Order().ToList();
        Assert.True(best[best.Count / 2] > 0.5f, $"best keypoint score per window: {string.Join(", ", best)}");

        // Nothing lost: every frame is in a predicted window or on the dead-letter topic with its reason.
        var inWindows = predictions.SelectMany(p => Enumerable.Range((int)p.WindowId * hop, window)).ToHashSet();
        var dead = (await Kcat.Run(null, "-b", harness.BootstrapServers, "-C", "-t", StreamingTopics.DeadLettersOf(configuration.Kafka.InputTopics[0]), "-e", "-o", "beginning", "-f", "%h\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(h => (Seq: int.Parse(h.Split("seq=")[1].Split(',')[0], CultureInfo.InvariantCulture), Reason: h.Split("dlq.reason=")[1].Split(',')[0]))
            .ToList();
        Assert.All(dead, d => Assert.Equal("incomplete-window", d.Reason));
        Assert.Equal(Enumerable.Range(0, clipFrames), inWindows.Concat(dead.Select(d => d.Seq)).Distinct().Order());
    }
}
