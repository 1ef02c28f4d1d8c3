using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Pipeline;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.FrameAnalysis;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;
using Streaming.Video.Pose;
using Streaming.Video.Tests.Fixtures;

namespace Streaming.Video.Tests.Pose;

/// <summary>
/// The frame path of the pipeline in virtual time, on real JPEG frames and a real (small, geometric) pose model: the
/// frame-analysis stage batches frames across streams into one pose call, and its skeletons go through the unchanged
/// skeleton stages.
/// </summary>
public sealed class PoseFramePipelineTests : IDisposable
{
    static readonly DateTimeOffset T0 = SkeletonFrames.T0;

    readonly HistoricalScheduler _clock = new(T0);
    // The analyzer and the model run only when their clocks advance: until then they are busy and inputs queue up.
    readonly HistoricalScheduler _analyzerClock = new(T0);
    readonly HistoricalScheduler _modelClock = new(T0);
    readonly AckLog _acks = new();
    readonly PipelineTelemetry _telemetry = new();
    readonly MetricsRecorder _metrics;
    readonly MarkerPoseModel _pose = new();

    public PoseFramePipelineTests() => _metrics = new MetricsRecorder(_telemetry);

    public void Dispose()
    {
        _metrics.Dispose();
        _telemetry.Dispose();
    }

    void RunAnalyzer() => _analyzerClock.AdvanceBy(TimeSpan.FromTicks(1));

    void RunAll()
    {
        for (int i = 0; i < 50; i++)
        {
            _analyzerClock.AdvanceBy(TimeSpan.FromTicks(1));
            _modelClock.AdvanceBy(TimeSpan.FromTicks(1));
        }
    }

    Acked<VideoFrame> Acked(string stream, long seq, out int ackId) => new(MarkerFrames.Frame(stream, seq, T0), _acks.NewToken(out ackId));

    InputMessage Message(VideoFrame frame, out int ackId) =>
        new(frame.Stream, frame.Payload, _acks.NewToken(out ackId)) { Headers = MarkerFrames.Headers(frame) };

    [Fact]
    public void AnalyzeInBatches_FramesOfThreeStreamsWhileThePoseModelIsBusy_GoAsOnePoseCall()
    {
        var frames = new Subject<Acked<VideoFrame>>();
        var skeletons = new List<SkeletonFrame>();
        frames.AnalyzeInBatches(new PoseFrameAnalyzer(_pose), new MicroBatchOptions { MaxBatchSize = 16, PerStreamCapacity = 4 }, _clock, _analyzerClock, _telemetry)
            .Subscribe(s => skeletons.Add(s.Value));

        frames.OnNext(Acked("a", 0, out _)); // the analyzer is idle: a batch of one goes at once
        foreach (var seq in new long[] { 1, 2 })
            foreach (var stream in new[] { "a", "b", "c" })
                if (!(stream == "a" && seq == 0)) frames.OnNext(Acked(stream, seq - (stream == "a" ? 0 : 1), out _));
        Assert.Equal(7, _telemetry.FramesInAnalysis); // the one in the pose model and the six waiting
        RunAnalyzer();
        RunAnalyzer();

        Assert.Equal([1, 6], _pose.Batches);
        Assert.Equal(0, _telemetry.FramesInAnalysis);
        foreach (var stream in new[] { "a", "b", "c" })
            Assert.Equal(stream == "a" ? [0L, 1, 2] : [0L, 1], skeletons.Where(s => s.Stream == stream).Select(s => s.Sequence));
        Assert.All(skeletons, s => Assert.Equal(SkeletonLayout.Coco17, s.Layout));
    }

    [Fact]
    public void AnalyzeInBatches_FullStreamQueueDropOldest_PassesStandInsForTheOldestFramesAndCountsThem()
    {
        var frames = new Subject<Acked<VideoFrame>>();
        var skeletons = new List<SkeletonFrame>();
        frames.AnalyzeInBatches(new PoseFrameAnalyzer(_pose), new MicroBatchOptions { PerStreamCapacity = 2, Policy = BackpressurePolicy.DropOldest }, _clock, _analyzerClock, _telemetry)
            .Subscribe(s => { skeletons.Add(s.Value); s.Ack.Reject(s.Value.Missing ?? new Rejection(RejectionReason.IncompleteWindow, "test end")); });
        var ids = new int[6];
        for (int seq = 0; seq < 6; seq++) frames.OnNext(Acked("a", seq, out ids[seq]));
        RunAnalyzer();
        RunAnalyzer();

        // Frame 0 went to the pose model at once; 1 and 2 were pushed out of the queue of 2 by 3..5, 3 by 5: each goes on
        // at once as a stand-in without joints that carries its reason, so the window builder need not wait for it.
        Assert.Equal([1L, 2, 3], skeletons.Where(s => s.Missing is not null).Select(s => s.Sequence));
        Assert.All(skeletons.Where(s => s.Missing is not null), s => Assert.Empty(s.Joints));
        Assert.Equal([0L, 4, 5], skeletons.Where(s => s.Missing is null).Select(s => s.Sequence));
        Assert.Equal(["backpressure-drop-oldest"], new[] { 1, 2, 3 }.Select(i => _acks.ReasonOf(ids[i])).Distinct());
        Assert.Equal(3, _metrics.Sum(PipelineTelemetry.RejectedName + "/backpressure-drop-oldest"));
    }

    [Fact]
    public void PredictFromFrames_FramesDroppedBeforeThePoseModel_DoNotHoldBackTheWindowsAfterThem()
    {
        var messages = new Subject<InputMessage>();
        var outputs = new List<PendingOutput>();
        var options = new FramePipelineOptions
        {
            Analysis = new MicroBatchOptions { PerStreamCapacity = 2, Policy = BackpressurePolicy.DropOldest },
            // A reorder buffer that would hold 8 frames after a gap before giving up on it.
            Skeletons = new SkeletonPipelineOptions { Window = WindowOptions.ByFrames(length: 2, hop: 2) with { ReorderBound = 8 } },
        };
        messages.PredictFromFrames(new PoseFrameAnalyzer(_pose), new MotionModel(), options, _clock, _analyzerClock, _modelClock, _telemetry)
            .Subscribe(o => { outputs.Add(o); o.Acknowledge(); });
        var ids = new List<int>();
        void Send(int seq)
        {
            messages.OnNext(Message(MarkerFrames.Frame("cam-1", seq, T0), out var id));
            ids.Add(id);
        }
        // Frames 0-9 one at a time, the pose model idle for each: the stream is under way (windows 0-1 .. 8-9).
        for (int seq = 0; seq < 10; seq++)
        {
            Send(seq);
            RunAll();
        }
        Assert.Equal(5, outputs.Count);
        // Then 10-15 at once: 10 goes to the pose model, 11-13 are pushed out of the queue of 2 by 13-15.
        for (int seq = 10; seq < 16; seq++) Send(seq);
        RunAll();

        // The frames after the gap are windowed at once (10 and 14; 15 waits for its pair) instead of waiting in the
        // reorder buffer for 8 more, and the dropped frames were settled with their reason.
        Assert.Equal([10L, 14], outputs[^1].Window.Frames.Select(f => f.Sequence));
        Assert.Equal(["backpressure-drop-oldest"], ids.Skip(11).Take(3).Select(_acks.ReasonOf).Distinct());
        Assert.True(_acks.Single(ids[14]).Contributed);
        Assert.Equal(3, _metrics.Sum(PipelineTelemetry.RejectedName + "/backpressure-drop-oldest"));
    }

    [Fact]
    public void AnalyzeInBatches_PoseModelThrows_RejectsItsBatchAsPoseFailedAndGoesOn()
    {
        var frames = new Subject<Acked<VideoFrame>>();
        var skeletons = new List<SkeletonFrame>();
        _pose.FailNext = true;
        frames.AnalyzeInBatches(new PoseFrameAnalyzer(_pose), new MicroBatchOptions(), _clock, _analyzerClock, _telemetry).Subscribe(s =>
        {
            skeletons.Add(s.Value);
            if (s.Value.Missing is { } why) s.Ack.Reject(why);
        });
        frames.OnNext(Acked("a", 0, out var first));
        RunAnalyzer();
        frames.OnNext(Acked("a", 1, out _));
        RunAnalyzer();

        Assert.Equal("pose-failed", _acks.ReasonOf(first));
        Assert.Equal([0L], skeletons.Where(s => s.Missing is not null).Select(s => s.Sequence));
        Assert.Equal([1L], skeletons.Where(s => s.Missing is null).Select(s => s.Sequence));
    }

    [Fact]
    public void PredictFromFrames_JpegMessages_GivePredictionsWithTheLastFramesKeypointsAndWindowsWithFeatures()
    {
        var messages = new Subject<InputMessage>();
        var model = new MotionModel();
        var outputs = new List<PendingOutput>();
        var options = new FramePipelineOptions
        {
            Analysis = new MicroBatchOptions { PerStreamCapacity = 16 },
            // No reordering: a frame is windowed as soon as it arrives.
            Skeletons = new SkeletonPipelineOptions { Window = WindowOptions.ByFrames(length: 4, hop: 2) with { ReorderBound = 0 } },
        };
        messages.PredictFromFrames(new PoseFrameAnalyzer(_pose), model, options, _clock, _analyzerClock, _modelClock, _telemetry)
            .Subscribe(o => { outputs.Add(o); o.Acknowledge(); });

        var ids = new List<int>();
        for (int seq = 0; seq < 8; seq++)
            foreach (var stream in new[] { "cam-1", "cam-2" })
            {
                messages.OnNext(Message(MarkerFrames.Frame(stream, seq, T0, shift: stream == "cam-2" ? 40 : 0), out var id));
                ids.Add(id);
            }
        RunAll();

        // Windows 0-3, 2-5, 4-7 of each camera.
        Assert.Equal([], _acks.Reasons());
        Assert.Equal(6, outputs.Count);
        // Frames 0-5 contributed; 6 and 7 wait for the window 6-9.
        Assert.All(ids.Take(12), id => Assert.True(_acks.Single(id).Contributed));
        Assert.All(ids.Skip(12), id => Assert.Empty(_acks.Outcomes(id)));
        foreach (var output in outputs)
        {
            var last = output.Prediction.LastFrame!;
            Assert.Equal(output.Window.Frames[^1].Sequence, last.Sequence);
            Assert.Equal((MarkerFrames.Width, MarkerFrames.Height, "coco17"), (last.Width, last.Height, last.Layout));
            var drawn = MarkerFrames.Pose((last.Time - T0).TotalSeconds, shift: output.Prediction.Stream == "cam-2" ? 40 : 0);
            for (int j = 0; j < 17; j++)
            {
                Assert.InRange(last.Keypoints[j][0], drawn[2 * j] - 1.5f, drawn[2 * j] + 1.5f);
                Assert.InRange(last.Keypoints[j][1], drawn[2 * j + 1] - 1.5f, drawn[2 * j + 1] + 1.5f);
                Assert.Equal(1f, last.Keypoints[j][2]);
            }
        }
        // The model stage sees each frame's pose-model features on the window's frames.
        Assert.All(model.Batches.SelectMany(b => b).SelectMany(w => w.Frames), f => Assert.Equal(_pose.FeatureSize, f.Camera!.Features.Length));
        // The waving arms move: every window is "moving".
        Assert.All(outputs, o => Assert.Equal("moving", o.Prediction.Recognized.Label));
    }

    [Fact]
    public void PredictFromFrames_BadMessages_RejectedWithTheirReasonsBeforeThePoseModel()
    {
        var messages = new Subject<InputMessage>();
        messages.PredictFromFrames(new PoseFrameAnalyzer(_pose), new MotionModel(), new FramePipelineOptions { MaxFrameBytes = 100_000 }, _clock, _analyzerClock, _modelClock, _telemetry)
            .Subscribe(o => o.Acknowledge());
        var frame = MarkerFrames.Frame("cam-1", 0, T0);
        InputMessage With(string header, string? value, ReadOnlyMemory<byte>? payload = null, string key = "cam-1")
        {
            var headers = MarkerFrames.Headers(frame).Where(h => h.Key != header).ToList();
            if (value is not null) headers.Add(new(header, System.Text.Encoding.UTF8.GetBytes(value)));
            return new InputMessage(key, payload ?? frame.Payload, _acks.NewToken()) { Headers = headers };
        }
        messages.OnNext(With(VideoFrame.SequenceHeader, null));
        messages.OnNext(With(VideoFrame.FormatHeader, "png"));
        messages.OnNext(With(VideoFrame.FormatHeader, "jpeg", new byte[200_000]));
        messages.OnNext(With(VideoFrame.FormatHeader, "jpeg", frame.Payload[..^2]));
        messages.OnNext(With(VideoFrame.FormatHeader, "jpeg", key: ""));
        messages.OnNext(With(VideoFrame.WidthHeader, "640"));
        RunAll();

        Assert.Equal(["missing-field", "unknown-format", "oversized", "truncated-jpeg", "missing-field", "frame-size"], _acks.Reasons());
        Assert.Equal([], _pose.Batches);
    }
}
