using Streaming.Cli.Commands;
using Streaming.Cli.Hosting;
using Streaming.Cli.Replay;
using Streaming.Models.Datasets;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Windowing;

namespace Streaming.Cli.Tests.Hosting;

/// <summary>The MSR Action3D MLP of samples/mlp behind the model stage, against the same model run offline on whole sequences.</summary>
public class SkeletonMlpActionModelTests
{
    static readonly string Msr = Path.Combine(RepositoryFiles.Data, "msr-action3d");
    static readonly string MlpFolder = Path.Combine(RepositoryFiles.Root, "samples", "mlp");
    static readonly IReadOnlyList<MsrAction3DSample> Test = MsrAction3D.Load(Msr).Where(s => !MsrAction3D.IsTrainSubject(s.Subject)).ToList();

    /// <summary>A stream's windows as the pipeline forms them (length, hop), plus one ending on the last frame if the hop skips it.</summary>
    static List<Observation> Windows(IReadOnlyList<SkeletonFrame> frames, int length, int hop)
    {
        var ends = Enumerable.Range(0, frames.Count).Where(e => e >= length - 1 && (e - length + 1) % hop == 0).ToList();
        if (ends[^1] != frames.Count - 1) ends.Add(frames.Count - 1);
        return ends.Select((e, i) =>
        {
            var window = frames.Skip(e - length + 1).Take(length).ToList();
            return new Observation(window[0].Stream, i, window[0].CaptureTime, window[^1].CaptureTime, window, [], window[^1].CaptureTime);
        }).ToList();
    }

    static RecognizedAction Replay(SkeletonMlpActionModel model, IReadOnlyList<SkeletonFrame> frames)
    {
        RecognizedAction? last = null;
        foreach (var window in Windows(frames, DemoCommand.MsrWindowFrames, DemoCommand.MsrHopFrames))
        {
            IReadOnlyList<Observation> batch = [window];
            last = model.Recognize(batch)[0];
            var past = model.Segment(batch)[0];
            Assert.Equal(frames[0].CaptureTime, Assert.Single(past).Start);
            Assert.Equal(window.End, past[0].End);
            Assert.Equal(last.Label, past[0].Label);
            Assert.Empty(model.Anticipate(batch)[0]);
        }
        return last!;
    }

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
    /// Replayed as a live kinect20 stream in the demo's windows, a held-out sequence's last window gives what the MLP gives
    /// the whole sequence offline (joints turned back into MSR's order, features and standardization as in training), one
    /// sequence of each action.
    /// </summary>
    [Fact]
    public void LastWindow_RecognizesTheSequence_AsTheModelDoesOffline()
    {
        var model = SkeletonModelFolder.LoadMlp(MlpFolder);
        foreach (var sample in Test.GroupBy(s => s.Action).Select(g => g.First()))
        {
            var offline = model.Classifier.Probabilities([sample.Skeletons])[0];
            int best = Array.IndexOf(offline, offline.Max());
            var live = Replay(model, DatasetReplay.MsrAction3D(sample.Skeletons, "msr-" + sample.Name, DateTimeOffset.UnixEpoch).ToList());
            Assert.Equal(model.Classifier.Labels[best], live.Label);
            Assert.Equal(offline[best], live.Probability, 6);
        }
    }

    /// <summary>A stream that pauses and sends another clip starts a new take: the second clip is recognized on its own.</summary>
    [Fact]
    public void StreamThatPauses_StartsANewTake()
    {
        var model = SkeletonModelFolder.LoadMlp(MlpFolder);
        var first = Test.First(s => s.Action == 12);
        var second = Test.First(s => s.Action == 16);
        var firstFrames = DatasetReplay.MsrAction3D(first.Skeletons, "camera", DateTimeOffset.UnixEpoch).ToList();
        var resume = firstFrames[^1].CaptureTime + SkeletonMlpActionModel.NewTakeGap + TimeSpan.FromSeconds(1);
        var secondFrames = DatasetReplay.MsrAction3D(second.Skeletons, "camera", resume)
            .Select(f => f with { Sequence = f.Sequence + firstFrames.Count }).ToList();
        Replay(model, firstFrames);
        var live = Replay(model, secondFrames);
        var offline = model.Classifier.Probabilities([second.Skeletons])[0];
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
