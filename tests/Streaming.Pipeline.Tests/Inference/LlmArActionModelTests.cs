using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.LlmAr;
using Streaming.Models.Tests.Skeletons;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Inference;

/// <summary>Tiny LLM-AR folders, trained once for the test class: 3-D with an anticipator, 2-D, and a 3-D one that reads takes.</summary>
public sealed class TinyLlmArFolders : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "llm-ar-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public TinyLlmArFolders()
    {
        var utKinect = SharedData.Path("utkinect-action3d");
        ThreeD = TinyLlmAr.Save(Path.Combine(root, "3d"), utKinect);
        TwoD = TinyLlmAr.Save(Path.Combine(root, "2d"), utKinect, dimensions: 2, anticipator: false);
        Takes = TinyLlmAr.Save(Path.Combine(root, "takes"), utKinect, sequence: LlmArSequence.Take, anticipator: false);
        ActionLlm = TinyActionLlm.Save(Path.Combine(root, "actionllm"), actions: LlmArCheckpoint.Load(ThreeD).Labels);
    }

    /// <summary>ActionLLM trained on videos of the 3-D recognizer's actions.</summary>
    public string ActionLlm { get; }

    public string ThreeD { get; }
    public string TwoD { get; }
    public string Takes { get; }

    public void Dispose() => Directory.Delete(root, recursive: true);
}

/// <summary>LLM-AR behind the model stage: batches of several streams and layouts, refusals before batching, the recognition chain.</summary>
public sealed class LlmArActionModelTests(TinyLlmArFolders folders) : IClassFixture<TinyLlmArFolders>
{
    static readonly string Root = SharedData.Path("utkinect-action3d");

    static LlmArActionModel Model(string folder)
    {
        var anticipator = Path.Combine(folder, "anticipator.json");
        return new LlmArActionModel(LlmArCheckpoint.Load(folder), File.Exists(anticipator) ? TransitionAnticipator.Load(anticipator) : null, "llm-ar-test", TimeSpan.FromSeconds(20));
    }

    static IReadOnlyList<SkeletonFrame> HeldOutTake(string stream, int frames) =>
        UtKinectFrames.Of(UtKinect.Load(Root).First(r => !UtKinect.TrainSubjects(Root).Contains(r.Subject)), stream, SkeletonFrames.T0).Take(frames).ToList();

    /// <summary>A kinect20 frame as another layout's source would send it (the same body), fully confident.</summary>
    static SkeletonFrame As(SkeletonFrame kinect, SkeletonLayout layout, string stream)
    {
        var positions = layout == SkeletonLayout.Ntu25 ? LayoutFrames.Ntu25(kinect.Positions()) : LayoutFrames.Coco17(kinect.Positions());
        var joints = new float[layout.JointCount * SkeletonFrame.ValuesPerJoint];
        for (int j = 0; j < layout.JointCount; j++)
        {
            positions.AsSpan(j * 3, 3).CopyTo(joints.AsSpan(j * SkeletonFrame.ValuesPerJoint, 3));
            joints[j * SkeletonFrame.ValuesPerJoint + 3] = 1;
        }
        return kinect with { Stream = stream, Layout = layout, Joints = joints };
    }

    /// <summary>The windows of <paramref name="frames"/> (15 frames every 3), each stream with fresh state.</summary>
    static List<Observation> Windows(IEnumerable<SkeletonFrame> frames, int length = 15, int hop = 3)
    {
        var clock = new HistoricalScheduler(SkeletonFrames.T0.AddHours(1));
        var acks = new AckLog();
        using var telemetry = new PipelineTelemetry();
        var windows = new List<Observation>();
        frames.Select(f => SkeletonFrames.Acked(f, acks, out _)).ToObservable(ImmediateScheduler.Instance)
            .WindowPerStream(WindowOptions.ByFrames(length, hop), clock, telemetry)
            .Subscribe(windows.Add);
        return windows;
    }

    sealed record Run(List<ActionPrediction> Published, AckLog Acks, Dictionary<string, List<int>> InputsOf);

    /// <summary>Frames as JSON messages through the whole skeleton pipeline in virtual time, into <paramref name="model"/>.</summary>
    static Run Replay(IActionModel model, IEnumerable<SkeletonFrame> frames, WindowOptions window)
    {
        var options = new SkeletonPipelineOptions
        {
            Window = window,
            Batching = new MicroBatchOptions { MaxBatchSize = 8, MaxWait = TimeSpan.FromMilliseconds(20), PerStreamCapacity = 4096 },
        };
        var clock = new HistoricalScheduler(SkeletonFrames.T0);
        var run = new Run([], new AckLog(), []);
        using var telemetry = new PipelineTelemetry();
        var input = new Subject<InputMessage>();
        bool completed = false;
        input.Predict(model, options, clock, ImmediateScheduler.Instance, telemetry).SinkTo(run.Published.Add).Subscribe(_ => { }, () => completed = true);
        foreach (var frame in frames)
        {
            clock.AdvanceTo(frame.CaptureTime);
            input.OnNext(new InputMessage(frame.Stream, SkeletonFrameJson.Serialize(frame), run.Acks.NewToken(out int id)));
            (run.InputsOf.TryGetValue(frame.Stream, out var ids) ? ids : run.InputsOf[frame.Stream] = []).Add(id);
        }
        input.OnCompleted();
        for (int i = 0; i < 100 && !completed; i++) clock.AdvanceBy(TimeSpan.FromSeconds(1));
        Assert.True(completed);
        return run;
    }

    [Fact]
    public void Predict_Kinect20AndNtu25WindowsInOneBatch_EachGetsWhatItGetsAlone()
    {
        var model = Model(folders.ThreeD);
        var kinect = HeldOutTake("kinect", 120);
        var alone = Windows(kinect).Select(w => model.Predict([w])[0]).ToList();

        var together = Windows(kinect.SelectMany(f => new[] { f, As(f, SkeletonLayout.Ntu25, "ntu") }));
        var (k, n) = (together.Where(w => w.Stream == "kinect").ToList(), together.Where(w => w.Stream == "ntu").ToList());
        Assert.Equal(alone.Count, k.Count);
        Assert.Equal(k.Count, n.Count);
        var mixed = new List<(WindowPrediction Kinect, WindowPrediction Ntu)>();
        // Batches of four windows, two per stream, as the model stage forms them.
        for (int i = 0; i < k.Count; i += 2)
        {
            var batch = k.Skip(i).Take(2).Concat(n.Skip(i).Take(2)).ToList();
            var predictions = model.Predict(batch);
            Assert.Equal(batch.Count, predictions.Count);
            int pairs = batch.Count / 2;
            for (int j = 0; j < pairs; j++) mixed.Add((predictions[j], predictions[pairs + j]));
        }
        Assert.True(alone.Count > 30, $"{alone.Count} windows");
        foreach (var (single, (fromKinect, fromNtu)) in alone.Zip(mixed))
            foreach (var batched in new[] { fromKinect, fromNtu })
            {
                Assert.Equal(single.Recognized.TopK.Select(l => l.Label), batched.Recognized.TopK.Select(l => l.Label));
                Assert.All(single.Recognized.TopK.Zip(batched.Recognized.TopK), p => Assert.Equal(p.First.Probability, p.Second.Probability, 1e-5));
                Assert.Equal(single.Past.Select(s => (s.Label, s.Start, s.End)), batched.Past.Select(s => (s.Label, s.Start, s.End)));
                Assert.Equal(single.Future.Select(s => (s.Label, s.Start, s.End)), batched.Future.Select(s => (s.Label, s.Start, s.End)));
            }
    }

    [Fact]
    public void Coco17_RefusedByA3DModelAsUnservedLayout_ServedByA2DModel()
    {
        var coco = Windows(HeldOutTake("kinect", 30).Select(f => As(f, SkeletonLayout.Coco17, "coco")));
        var refusal = Model(folders.ThreeD).Refusal(coco[0]);
        Assert.Equal(RejectionReason.UnservedLayout, refusal?.Reason);
        Assert.Equal("model llm-ar-test serves kinect20 and ntu25 skeletons (a 3-D model); stream coco window 0 sends coco17: coco17 is an image-plane layout " +
            "without depth (z is 0), which a 2-D model serves (streaming train llm-ar --dimensions 2).", refusal!.Message);

        var flat = Model(folders.TwoD);
        Assert.All(coco, w => Assert.Null(flat.Refusal(w)));
        var predictions = flat.Predict(coco);
        Assert.Equal(coco.Count, predictions.Count);
        Assert.All(predictions, p => Assert.InRange(p.Recognized.Probability, 0.0, 1.0));
        Assert.Empty(predictions[^1].Future);
    }

    /// <summary>A hand-made window of <paramref name="frames"/> (kinect20), with positions, take and history as the window builder makes them.</summary>
    static Observation Window(IReadOnlyList<SkeletonFrame> frames)
    {
        var positions = frames.SelectMany(f => f.Positions()).ToArray();
        DateTimeOffset start = frames.Count > 0 ? frames[0].CaptureTime : SkeletonFrames.T0, end = frames.Count > 0 ? frames[^1].CaptureTime : SkeletonFrames.T0;
        return new Observation("cam", 0, start, end, frames, [], end)
        {
            Positions = new(positions, frames.Count, 20),
            Take = new SkeletonTake(start, end, SkeletonLayout.Kinect20, [.. frames.Select(f => (ReadOnlyMemory<float>)f.Positions())]),
            Recognitions = new RecognitionHistory(),
        };
    }

    [Fact]
    public void Refusal_EmptyAndOneFrameWindows_TooFewFrames_ForWindowsAndTakes()
    {
        var frames = HeldOutTake("cam", 2);
        foreach (var folder in new[] { folders.ThreeD, folders.Takes })
        {
            var model = Model(folder);
            foreach (var count in new[] { 0, 1 })
            {
                var refusal = model.Refusal(Window([.. frames.Take(count)]));
                Assert.Equal(RejectionReason.TooFewFrames, refusal?.Reason);
                Assert.EndsWith($"holds {count} frame(s); model llm-ar-test reads motion over at least 2.", refusal!.Message, StringComparison.Ordinal);
            }
            Assert.Null(model.Refusal(Window(frames)));
        }
    }

    [Fact]
    public void OneFrameWindows_ThroughThePipeline_AreDeadLetteredTooFewFrames()
    {
        var run = Replay(Model(folders.ThreeD), HeldOutTake("cam", 10), WindowOptions.ByFrames(1, 1));
        Assert.Empty(run.Published);
        Assert.Equal(Enumerable.Repeat("too-few-frames", 10), run.InputsOf["cam"].Select(run.Acks.ReasonOf));
    }

    [Fact]
    public void Refusal_NonFiniteOrBodilessWindows_NameTheFrame_AndTheOtherStreamsAreServed()
    {
        var model = Model(folders.ThreeD);
        var frames = HeldOutTake("cam", 15).ToList();
        var nan = frames.Select(f => f with { Joints = [.. f.Joints] }).ToList();
        nan[4].Joints[3 * SkeletonFrame.ValuesPerJoint + 1] = float.NaN;
        var refusal = model.Refusal(Window(nan));
        Assert.Equal(RejectionReason.NonFinite, refusal?.Reason);
        Assert.Equal("stream cam window 0: frame 4 joint 3 is NaN; model llm-ar-test reads finite positions only.", refusal!.Message);

        // A tracker that lost the body sends zeros: its windows are dropped before batching, the other stream's are served.
        var good = HeldOutTake("good", 60);
        var empty = good.Select(f => f with { Stream = "empty", Joints = new float[f.Joints.Length] });
        var run = Replay(model, good.Zip(empty).SelectMany(p => new[] { p.First, p.Second }), WindowOptions.ByFrames(15, 3));
        Assert.Equal(16, run.Published.Count(p => p.Stream == "good"));
        Assert.DoesNotContain(run.Published, p => p.Stream == "empty");
        Assert.All(run.InputsOf["empty"], id => Assert.Contains(run.Acks.ReasonOf(id), new[] { "no-body", "incomplete-window" }));
        Assert.All(run.InputsOf["good"], id => Assert.True(run.Acks.Single(id).Contributed));
        var noBody = run.InputsOf["empty"].Select(id => run.Acks.Single(id).Rejection!).First(r => r.Code == "no-body");
        Assert.StartsWith("stream empty window 0: model llm-ar-test cannot read it: skeleton clip: the mean torso", noBody.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeldOutTake_RecognizedIntoPastSegments_WithAnAnticipatedFuture()
    {
        var take = HeldOutTake("utk", 600);
        var run = Replay(Model(folders.ThreeD), take, WindowOptions.ByFrames(15, 3));
        Assert.Equal((take.Count - 15) / 3 + 1, run.Published.Count);
        var last = run.Published[^1];
        Assert.NotEmpty(last.Past);
        Assert.Equal((last.Recognized.Label, last.WindowEnd), (last.Past[^1].Label, last.Past[^1].End));
        Assert.True(last.Past.Zip(last.Past.Skip(1)).All(s => s.First.End <= s.Second.Start), "past segments in order, not overlapping");
        Assert.NotEmpty(last.Future);
        Assert.Equal(last.Recognized.Label, last.Future[0].Label);
        Assert.All(last.Future, f => Assert.True(f.Start >= last.WindowEnd && f.End > f.Start));
        Assert.All(run.Published, p => Assert.Equal("llm-ar-test", p.ModelId));
    }

    [Fact]
    public void ActionLlmFuture_ContinuesTheRecognizedPast_OneForwardPerBatch()
    {
        var take = HeldOutTake("utk", 300);
        var bare = Replay(Model(folders.ThreeD), take, WindowOptions.ByFrames(15, 3));
        var anticipator = new ActionLlmAnticipator(ActionLlmCheckpoint.Load(folders.ActionLlm), TimeSpan.FromSeconds(40));
        var run = Replay(new ActionLlmFuture(Model(folders.ThreeD), anticipator, "actionllm-test"), take, WindowOptions.ByFrames(15, 3));

        Assert.Equal(bare.Published.Count, run.Published.Count);
        Assert.All(bare.Published.Zip(run.Published), p =>
        {
            Assert.Equal(p.First.Recognized.Label, p.Second.Recognized.Label);
            Assert.Equal(p.First.Past, p.Second.Past);
            Assert.Equal("llm-ar-test+actionllm-test", p.Second.ModelId);
            var history = new ActionHistory(p.Second.Past[0].Start, [.. p.Second.Past]);
            Assert.Equal(anticipator.Anticipate(history), p.Second.Future);
        });
        var last = run.Published[^1];
        Assert.NotEmpty(last.Future);
        Assert.Equal(last.WindowEnd, last.Future[0].Start);
        Assert.All(last.Future, f => Assert.Contains(f.Label, anticipator.Actions));
    }

    [Fact]
    public void ActionLlmFuture_OfOtherActions_IsRefusedNamingThem()
    {
        var root = Directory.CreateTempSubdirectory("actionllm-other-").FullName;
        var other = new ActionLlmAnticipator(ActionLlmCheckpoint.Load(TinyActionLlm.Save(Path.Combine(root, "salads"), epochs: 1)), TimeSpan.FromSeconds(40));
        Directory.Delete(root, recursive: true);
        var e = Assert.Throws<InvalidDataException>(() => new ActionLlmFuture(Model(folders.ThreeD), other, "actionllm-salads"));
        Assert.StartsWith("anticipator actionllm-salads does not know the action(s) ", e.Message, StringComparison.Ordinal);
        Assert.Contains("that model llm-ar-test recognizes (it knows cut_tomato, place_tomato_into_bowl, add_oil, mix_ingredients)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TakeModel_RevisesTheWholeTakeSoFar()
    {
        var run = Replay(Model(folders.Takes), HeldOutTake("msr", 45), WindowOptions.ByFrames(15, 3));
        Assert.Equal(11, run.Published.Count);
        Assert.All(run.Published, p =>
        {
            var segment = Assert.Single(p.Past);
            Assert.Equal((p.Recognized.Label, SkeletonFrames.T0, p.WindowEnd), (segment.Label, segment.Start, segment.End));
            Assert.Empty(p.Future);
        });
    }
}
