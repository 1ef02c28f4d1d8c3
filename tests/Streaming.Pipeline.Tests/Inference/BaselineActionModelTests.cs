using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Streaming.Models.Datasets;
using Streaming.Models.Recognition;
using Streaming.Pipeline.Batching;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Acknowledgements;
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
    /// <summary>
    /// Two held-out takes windowed together and predicted in shared batches get, stream by stream, exactly what each gets
    /// alone: each window's recognition, past and future come from one call and from its own stream's state.
    /// </summary>
    [Fact]
    public void TwoStreamsInOneBatch_KeepSeparateState()
    {
        var trained = Trained.Value;
        var takes = UtKinect.Load(Root).Where(r => !UtKinect.TrainSubjects(Root).Contains(r.Subject)).Take(2).ToList();
        var model = new BaselineActionModel(trained.Classifier, trained.Anticipator, "baseline-test", TimeSpan.FromSeconds(20));
        var frames = takes.Select(t => UtKinectFrames.Of(t, "utk-" + t.Take, SkeletonFrames.T0).Take(300).ToList()).ToList();

        var alone = Windows(frames[0]).Select(w => model.Predict([w])[0]).ToList();
        var together = Windows(frames[0].Concat(frames[1]).OrderBy(f => f.CaptureTime));
        var first = together.Where(w => w.Stream == frames[0][0].Stream).ToList();
        var second = together.Where(w => w.Stream == frames[1][0].Stream).ToList();
        Assert.Equal(alone.Count, first.Count);
        Assert.True(second.Count >= first.Count / 2, $"{second.Count} windows of the second take");
        var mixed = new List<WindowPrediction>();
        for (int k = 0; k < first.Count; k++)
        {
            IReadOnlyList<Observation> batch = k < second.Count ? [first[k], second[k]] : [first[k]];
            var predictions = model.Predict(batch);
            Assert.Equal(batch.Count, predictions.Count);
            foreach (var (w, p) in batch.Zip(predictions))
            {
                Assert.Equal((p.Recognized.Label, w.End), (p.Past[^1].Label, p.Past[^1].End));
                Assert.NotEmpty(p.Future);
                Assert.All(p.Future, f => Assert.True(f.Start >= w.End));
            }
            mixed.Add(predictions[0]);
        }
        Assert.Equal(alone.Select(p => (p.Recognized.Label, p.Recognized.Probability)), mixed.Select(p => (p.Recognized.Label, p.Recognized.Probability)));
        Assert.All(alone.Zip(mixed), pair =>
        {
            Assert.Equal(pair.First.Past, pair.Second.Past);
            Assert.Equal(pair.First.Future, pair.Second.Future);
        });
        Assert.True(alone[^1].Past.Count > 1, "the take's actions form several past segments");
    }

    /// <summary>The skeleton windows of <paramref name="frames"/> (UTKinect's 15-frame windows every 3), each stream with fresh state.</summary>
    static List<Observation> Windows(IEnumerable<SkeletonFrame> frames)
    {
        var clock = new HistoricalScheduler(SkeletonFrames.T0.AddHours(1));
        var acks = new AckLog();
        using var telemetry = new PipelineTelemetry();
        var windows = new List<Observation>();
        frames.Select(f => SkeletonFrames.Acked(f, acks, out _)).ToObservable(ImmediateScheduler.Instance)
            .WindowPerStream(WindowOptions.ByFrames(15, 3), clock, telemetry)
            .Subscribe(windows.Add);
        return windows;
    }
}
