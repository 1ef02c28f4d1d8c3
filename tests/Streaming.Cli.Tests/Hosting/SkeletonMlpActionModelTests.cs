using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Streaming.Cli.Commands;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Service.Replay;
using Streaming.Models.Datasets;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Acknowledgements;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Windowing;

namespace Streaming.Cli.Tests.Hosting;

/// <summary>The MSR Action3D MLP of samples/mlp behind the model stage, against the same model run offline on whole sequences.</summary>
public class SkeletonMlpActionModelTests
{
    static readonly string Msr = Path.Combine(RepositoryFiles.Data, "msr-action3d");
    static readonly string MlpFolder = Path.Combine(RepositoryFiles.Root, "samples", "mlp");
    static readonly IReadOnlyList<MsrAction3DSample> Test = MsrAction3D.Load(Msr).Where(s => !MsrAction3D.IsTrainSubject(s.Subject)).ToList();

    /// <summary>A stream's windows as the pipeline's windowing stage forms them in the demo (8 frames every 2), each with the stream's take so far.</summary>
    static List<Observation> Windows(IEnumerable<SkeletonFrame> frames)
    {
        var clock = new HistoricalScheduler(DateTimeOffset.UnixEpoch.AddDays(1));
        using var telemetry = new PipelineTelemetry();
        var windows = new List<Observation>();
        frames.Select(f => new Acked<SkeletonFrame>(f, new AckToken(_ => { }))).ToObservable(ImmediateScheduler.Instance)
            .WindowPerStream(WindowOptions.ByFrames(DemoCommand.MsrWindowFrames, DemoCommand.MsrHopFrames) with { ReorderBound = 0 }, clock, telemetry)
            .Subscribe(windows.Add);
        return windows;
    }

    /// <summary>Predicts a stream's windows one by one; each says the take so far is one segment of its label, and anticipates nothing.</summary>
    static List<(Observation Window, RecognizedAction Recognized)> Replay(SkeletonMlpActionModel model, IEnumerable<SkeletonFrame> frames) =>
        Windows(frames).Select(window =>
        {
            var prediction = Assert.Single(model.Predict([window]));
            var past = Assert.Single(prediction.Past);
            Assert.Equal((window.Take!.Start, window.End, prediction.Recognized.Label), (past.Start, past.End, past.Label));
            Assert.Empty(prediction.Future);
            return (window, prediction.Recognized);
        }).ToList();

    /// <summary>The first <paramref name="frames"/> frames of a sequence, as the MLP would see them offline.</summary>
    static SkeletonSequence Prefix(SkeletonSequence s, int frames) => new(s.Positions[..(frames * s.Joints * 3)], frames, s.Joints);

    [Fact]
    public void ModelFolder_IsToldApartByItsFiles()
    {
        Assert.IsType<SkeletonMlpActionModel>(SkeletonModelFolder.Load(MlpFolder, TimeSpan.FromSeconds(20)));
        Assert.IsType<BaselineActionModel>(SkeletonModelFolder.Load(Path.Combine(RepositoryFiles.Root, "samples", "baseline"), TimeSpan.FromSeconds(20)));
        var e = Assert.Throws<FileNotFoundException>(() => SkeletonModelFolder.LoadMlp(Path.Combine(RepositoryFiles.Root, "samples", "baseline")));
        Assert.Contains("streaming train mlp", e.Message, StringComparison.Ordinal);
    }

    /// <summary>samples/mlp is what `streaming train mlp` made: 70.0% of the 273 held-out sequences, as the README says.</summary>
    [Fact]
    public void SampleMlp_ScoresItsStatedTestAccuracy()
    {
        var classifier = SkeletonModelFolder.LoadMlp(MlpFolder).Classifier;
        var p = classifier.Probabilities(Test.Select(s => s.Skeletons).ToList());
        int right = Test.Select((s, i) => Array.IndexOf(p[i], p[i].Max()) == s.Action - 1).Count(r => r);
        Assert.Equal(273, Test.Count);
        Assert.Equal(191, right);
    }

    /// <summary>
    /// Replayed as a live kinect20 stream through the windowing stage in the demo's windows, a held-out sequence's last
    /// window gives what the MLP gives offline for the frames it has seen (all but at most the hop less one: joints turned
    /// back into MSR's order, features and standardization as in training), one sequence of each action.
    /// </summary>
    [Fact]
    public void LastWindow_RecognizesTheSequence_AsTheModelDoesOffline()
    {
        var model = SkeletonModelFolder.LoadMlp(MlpFolder);
        foreach (var sample in Test.GroupBy(s => s.Action).Select(g => g.First()))
        {
            var frames = DatasetReplay.MsrAction3D(sample.Skeletons, "msr-" + sample.Name, DateTimeOffset.UnixEpoch).ToList();
            var (window, live) = Replay(model, frames)[^1];
            int seen = window.Take!.Frames.Count;
            Assert.Equal(window.Frames[^1].Sequence + 1, seen);
            Assert.InRange(seen, frames.Count - DemoCommand.MsrHopFrames + 1, frames.Count);
            Assert.Equal(frames[0].CaptureTime, window.Take.Start);
            var offline = model.Classifier.Probabilities([Prefix(sample.Skeletons, seen)])[0];
            int best = Array.IndexOf(offline, offline.Max());
            Assert.Equal(model.Classifier.Labels[best], live.Label);
            Assert.Equal(offline[best], live.Probability, 6);
        }
    }

    /// <summary>
    /// A stream that pauses for more than the take gap and sends another clip, numbered on, starts a new take in the
    /// windowing stage: the second clip is recognized on its own, from the window that straddles the pause onwards.
    /// </summary>
    [Fact]
    public void StreamThatPauses_StartsANewTake()
    {
        var model = SkeletonModelFolder.LoadMlp(MlpFolder);
        var first = Test.First(s => s.Action == 12);
        var second = Test.First(s => s.Action == 16);
        var firstFrames = DatasetReplay.MsrAction3D(first.Skeletons, "camera", DateTimeOffset.UnixEpoch).ToList();
        var resume = firstFrames[^1].CaptureTime + SkeletonTake.NewTakeGap + TimeSpan.FromSeconds(1);
        var secondFrames = DatasetReplay.MsrAction3D(second.Skeletons, "camera", resume)
            .Select(f => f with { Sequence = f.Sequence + firstFrames.Count }).ToList();
        var replayed = Replay(model, firstFrames.Concat(secondFrames));
        Assert.Equal(DateTimeOffset.UnixEpoch, replayed[0].Window.Take!.Start);
        Assert.All(replayed.Where(r => r.Window.End >= resume), r => Assert.Equal(resume, r.Window.Take!.Start));
        var (window, live) = replayed[^1];
        var offline = model.Classifier.Probabilities([Prefix(second.Skeletons, window.Take!.Frames.Count)])[0];
        Assert.Equal(model.Classifier.Labels[Array.IndexOf(offline, offline.Max())], live.Label);
        Assert.Equal(offline.Max(), live.Probability, 6);
    }

    [Fact]
    public void DemoCatalog_TakesHeldOutSequences_OfEveryActionAndDifferentSubjects_Staggered()
    {
        var streams = ReplayCatalog.MsrAction3DPerAction(Msr, 2, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(0.2));
        var names = MsrAction3D.ActionNames(Msr);
        Assert.Equal(40, streams.Count);
        var byId = Test.ToDictionary(s => "msr-" + s.Name);
        foreach (var (s, i) in streams.Select((s, i) => (s, i)))
        {
            var sample = byId[s.Id];
            var truth = Assert.Single(s.Truth);
            Assert.Equal(names[sample.Action - 1], truth.Label);
            Assert.Equal(sample.Skeletons.Frames / 15.0, truth.End, 9);
            Assert.Equal(DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(0.2) * i, s.Frames[0].CaptureTime);
        }
        foreach (var action in streams.GroupBy(s => byId[s.Id].Action))
        {
            Assert.Equal(2, action.Count());
            Assert.Equal(2, action.Select(s => byId[s.Id].Subject).Distinct().Count());
        }
        Assert.Equal(Enumerable.Range(1, 20), streams.Take(20).Select(s => byId[s.Id].Action));
    }
}
