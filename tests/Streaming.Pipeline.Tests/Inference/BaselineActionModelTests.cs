using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Streaming.Models.Datasets;
using Streaming.Models.Recognition;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Ingest;
using Streaming.Pipeline.Results;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Inference;

/// <summary>The trained baselines behind the pipeline, on a UTKinect take of a held-out subject replayed in virtual time.</summary>
public class BaselineActionModelTests
{
    static readonly string Root = SharedData.Path("utkinect-action3d");
    static readonly Lazy<BaselineResult> Trained = new(() => UtKinectBaseline.Train(Root, new BaselineOptions()));

    [Fact]
    public void HeldOutTake_RecognizedSegmentedAndAnticipated()
    {
        var trained = Trained.Value;
        var take = UtKinect.Load(Root).First(r => !UtKinect.TrainSubjects(Root).Contains(r.Subject));
        var model = new BaselineActionModel(trained.Classifier, trained.Anticipator, "baseline-test", TimeSpan.FromSeconds(20));
        var options = new SkeletonPipelineOptions
        {
            Window = WindowOptions.ByFrames(15, 3),
            Batching = new MicroBatchOptions { MaxBatchSize = 8, MaxWait = TimeSpan.FromMilliseconds(20), PerStreamCapacity = 1024 },
        };
        var origin = SkeletonFrames.T0;
        var clock = new HistoricalScheduler(origin);
        var acks = new AckLog();
        var published = new List<ActionPrediction>();
        using var telemetry = new PipelineTelemetry();
        var input = new Subject<InputMessage>();
        bool completed = false;
        input.Predict(model, options, clock, ImmediateScheduler.Instance, telemetry).SinkTo(published.Add).Subscribe(_ => { }, () => completed = true);
        foreach (var frame in UtKinectFrames.Of(take, "utk-" + take.Take, origin))
        {
            clock.AdvanceTo(frame.CaptureTime);
            input.OnNext(SkeletonFrames.Message(frame, acks, out _));
        }
        input.OnCompleted();
        for (int i = 0; i < 100 && !completed; i++) clock.AdvanceBy(TimeSpan.FromSeconds(1));
        Assert.True(completed);

        // Windows ending inside a labelled segment: the recognized action should mostly be the true one.
        var labels = trained.Classifier.Labels;
        var scored = published.Select(p => (p, truth: take.ActionAt(take.FrameIds[0] + (int)Math.Round((p.WindowEnd - origin).TotalSeconds * UtKinect.FramesPerSecond))))
            .Where(x => x.truth >= 0).ToList();
        double accuracy = scored.Count(x => x.p.Recognized.Label == labels[x.truth]) / (double)scored.Count;
        Assert.True(scored.Count > 50, $"{scored.Count} scored windows");
        Assert.True(accuracy > 0.5, $"live window accuracy {accuracy:P1} on {take.Take}");

        var last = published[^1];
        Assert.True(last.Past.Count > 3, "the take's actions form several past segments");
        Assert.True(last.Past.Zip(last.Past.Skip(1)).All(s => s.First.End <= s.Second.Start), "past segments in order, not overlapping");
        Assert.NotEmpty(last.Future);
        Assert.Equal(last.Recognized.Label, last.Future[0].Label);
        Assert.True(last.Future.All(f => f.Start >= last.WindowEnd && f.End > f.Start), "future segments start after the window");
        Assert.Equal(0, acks.Reasons().Count(r => r != "incomplete-window"));
    }
}
