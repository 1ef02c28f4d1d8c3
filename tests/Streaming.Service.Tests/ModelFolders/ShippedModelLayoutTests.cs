using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Models.Datasets;
using Streaming.Pipeline;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;

namespace Streaming.Service.Tests.ModelFolders;

/// <summary>
/// The shipped kinect20 models (samples/baseline, samples/mlp) behind the pipeline's model stage, served one recording
/// three times at once: as kinect20, as ntu25 (mapped into kinect20 through the canonical skeleton) and as coco17 (2-D,
/// which a 3-D model cannot serve).
/// </summary>
public class ShippedModelLayoutTests
{
    static readonly DateTimeOffset Origin = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    sealed record Run(List<ActionPrediction> Published, AckLog Acks, Dictionary<string, List<int>> InputsOf);

    static Run Replay(IActionModel model, IReadOnlyList<SkeletonFrame> kinect, WindowOptions window)
    {
        var options = new SkeletonPipelineOptions
        {
            Window = window,
            Batching = new MicroBatchOptions { MaxBatchSize = 8, MaxWait = TimeSpan.FromMilliseconds(20), PerStreamCapacity = 4096 },
        };
        var clock = new HistoricalScheduler(Origin);
        var run = new Run([], new AckLog(), []);
        using var telemetry = new PipelineTelemetry();
        var input = new Subject<InputMessage>();
        bool completed = false;
        input.Predict(model, options, clock, ImmediateScheduler.Instance, telemetry).SinkTo(run.Published.Add).Subscribe(_ => { }, () => completed = true);
        foreach (var frame in kinect)
        {
            clock.AdvanceTo(frame.CaptureTime);
            foreach (var f in new[] { frame, LayoutStreams.Ntu25(frame, "ntu"), LayoutStreams.Coco17(frame, "coco") })
            {
                input.OnNext(new InputMessage(f.Stream, SkeletonFrameJson.Serialize(f), run.Acks.NewToken(out int id)));
                (run.InputsOf.TryGetValue(f.Stream, out var ids) ? ids : run.InputsOf[f.Stream] = []).Add(id);
            }
        }
        input.OnCompleted();
        for (int i = 0; i < 100 && !completed; i++) clock.AdvanceBy(TimeSpan.FromSeconds(1));
        Assert.True(completed);
        return run;
    }

    static List<(long Window, string Label, double Probability)> Recognized(Run run, string stream) =>
        run.Published.Where(p => p.Stream == stream).Select(p => (p.WindowId, p.Recognized.Label, p.Recognized.Probability)).ToList();

    static void AssertServedLikeKinect20(Run run, string kinectStream, int minWindows)
    {
        var kinect = Recognized(run, kinectStream);
        Assert.True(kinect.Count >= minWindows, $"{kinect.Count} kinect20 windows");
        Assert.Equal(kinect, Recognized(run, "ntu"));
        Assert.All(run.InputsOf["ntu"], id => Assert.True(run.Acks.Single(id).Contributed || run.Acks.ReasonOf(id) == "incomplete-window", run.Acks.ReasonOf(id)));
        Assert.Contains(run.InputsOf["ntu"], id => run.Acks.Single(id).Contributed);
    }

    static void AssertCocoDeadLettered(Run run, string modelId)
    {
        Assert.DoesNotContain(run.Published, p => p.Stream == "coco");
        var reasons = run.InputsOf["coco"].Select(id => run.Acks.Single(id).Rejection!).ToList();
        Assert.All(reasons, r => Assert.Contains(r.Code, new[] { "unserved-layout", "incomplete-window" }));
        var unserved = reasons.First(r => r.Code == "unserved-layout");
        Assert.StartsWith($"model {modelId} serves kinect20 and ntu25 skeletons (trained on kinect20); stream coco window 0 sends coco17: coco17 is an image-plane layout without depth", unserved.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedBaseline_ServesNtu25AsItsKinect20Original_DeadLettersCoco17()
    {
        var model = BaselineModelFolder.Load(Path.Combine(RepositoryFiles.Root, "samples", "baseline"), TimeSpan.FromSeconds(20));
        var root = Path.Combine(RepositoryFiles.Data, "utkinect-action3d");
        var take = UtKinect.Load(root).First(r => !UtKinect.TrainSubjects(root).Contains(r.Subject));
        var run = Replay(model, DatasetReplay.UtKinect(take, "kinect", Origin).ToList(), WindowOptions.ByFrames(15, 3));
        AssertServedLikeKinect20(run, "kinect", minWindows: 100);
        Assert.Equal(run.Published.Where(p => p.Stream == "kinect").Select(p => p.Past.Count + p.Future.Count),
            run.Published.Where(p => p.Stream == "ntu").Select(p => p.Past.Count + p.Future.Count));
        AssertCocoDeadLettered(run, model.Id);
    }

    [Fact]
    public void ShippedMlp_ServesNtu25TakesAsTheirKinect20Originals_DeadLettersCoco17()
    {
        var model = SkeletonModelFolder.LoadMlp(Path.Combine(RepositoryFiles.Root, "samples", "mlp"));
        var clip = MsrAction3D.Load(Path.Combine(RepositoryFiles.Data, "msr-action3d")).First(s => !MsrAction3D.IsTrainSubject(s.Subject));
        var run = Replay(model, DatasetReplay.MsrAction3D(clip.Skeletons, "kinect", Origin).ToList(), WindowOptions.ByFrames(8, 2) with { ReorderBound = 0 });
        AssertServedLikeKinect20(run, "kinect", minWindows: 5);
        AssertCocoDeadLettered(run, model.Id);
    }
}
