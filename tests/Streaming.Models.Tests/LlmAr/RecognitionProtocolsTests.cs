using Streaming.Models.Datasets;
using Streaming.Models.LlmAr;
using Streaming.Models.Recognition;

namespace Streaming.Models.Tests.LlmAr;

/// <summary>The folds of eval recognition's protocols, checked against the data files and against what train llm-ar trains on.</summary>
public class RecognitionProtocolsTests
{
    static readonly string Msr = SharedData.Path("msr-action3d");
    static readonly string Ut = SharedData.Path("utkinect-action3d");

    static void SameClips(IReadOnlyList<LabelledClip> expected, IReadOnlyList<LabelledClip> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Label, actual[i].Label);
            Assert.Equal(expected[i].Clip.Frames, actual[i].Clip.Frames);
            Assert.Equal(expected[i].Clip.Joints, actual[i].Clip.Joints);
        }
    }

    [Fact]
    public void MsrCrossSubject_IsTrainLlmArsSplit_WithTheRawSequencesForTheBaselines()
    {
        var benchmark = RecognitionProtocols.MsrCrossSubject(Msr, 3);
        var fold = Assert.Single(benchmark.Folds);
        Assert.Equal((284, 273), (fold.Train.Count, fold.Test.Count));
        var split = benchmark.Split(fold);
        var reference = RecognitionSplit.MsrCrossSubject(Msr, 3);
        SameClips(reference.Train, split.Train);
        SameClips(reference.Test, split.Test);
        Assert.Equal(reference.Labels, benchmark.Labels);
        // The baselines read MSR Action3D's own joint order, as train mlp does.
        var raw = MsrAction3D.Load(Msr).Where(s => MsrAction3D.IsTrainSubject(s.Subject)).ToList();
        Assert.Equal(raw.Select(s => s.Skeletons.Positions), fold.Train.Select(s => s.Sequence.Positions));
    }

    [Fact]
    public void MsrRandomSplits_OneFoldPerLineOfTheSplitsFile()
    {
        var benchmark = RecognitionProtocols.MsrRandomSplits(Msr, 3);
        Assert.Equal(10, benchmark.Folds.Count);
        Assert.Equal([1, 2, 3, 5, 10], benchmark.Folds[0].Train.Select(s => s.Subject).Distinct().Order());
        Assert.Equal([4, 6, 7, 8, 9], benchmark.Folds[0].Test.Select(s => s.Subject).Distinct().Order());
        Assert.All(benchmark.Folds, f =>
        {
            Assert.Equal(557, f.Train.Count + f.Test.Count);
            Assert.Equal(5, f.Train.Select(s => s.Subject).Distinct().Count());
            Assert.Empty(f.Train.Select(s => s.Subject).Intersect(f.Test.Select(s => s.Subject)));
        });
    }

    [Fact]
    public void UtKinectWindows_IsTrainLlmArsSplit()
    {
        var benchmark = RecognitionProtocols.UtKinectWindows(Ut, 3, 30, 3);
        var split = benchmark.Split(Assert.Single(benchmark.Folds));
        var reference = RecognitionSplit.UtKinectWindows(Ut, 3, 30, 3);
        SameClips(reference.Train, split.Train);
        SameClips(reference.Test, split.Test);
        Assert.All(benchmark.Folds[0].Train, s => Assert.Equal(30, s.Sequence.Frames));
    }

    [Fact]
    public void UtKinectSegments_LeaveOneSubjectOut_OverEverySegment()
    {
        var benchmark = RecognitionProtocols.UtKinectSegments(Ut, 3);
        Assert.Equal(10, benchmark.Folds.Count);
        var all = RecognitionClips.UtKinectSegments(UtKinect.Load(Ut), 3);
        for (int k = 0; k < 10; k++)
        {
            var fold = benchmark.Folds[k];
            Assert.Equal([k + 1], fold.Test.Select(s => s.Subject).Distinct());
            Assert.DoesNotContain(k + 1, fold.Train.Select(s => s.Subject));
            Assert.Equal(all.Count, fold.Train.Count + fold.Test.Count);
            SameClips([.. all.Where(c => c.Subject == k + 1).Select(c => c.Example)], benchmark.Split(fold).Test);
        }
    }

    [Fact]
    public void Mlp_OnFoldA_ScoresWhatTrainMlpScores()
    {
        var options = new SkeletonTrainingOptions(Epochs: 20);
        var fold = RecognitionProtocols.MsrCrossSubject(Msr, 3).Folds[0];
        var reference = SkeletonClassifierTraining.Run(MsrAction3D.Load(Msr), options);

        var model = SkeletonClassifierTraining.Train([.. fold.Train.Select(s => s.Sequence)], [.. fold.Train.Select(s => s.Label)], MsrAction3D.ActionNames(Msr), options);
        var p = model.Probabilities([.. fold.Test.Select(s => s.Sequence)]);
        double accuracy = fold.Test.Where((s, i) => Array.IndexOf(p[i], p[i].Max()) == s.Label).Count() / (double)fold.Test.Count;

        Assert.Equal(reference.TestAccuracy, accuracy);
    }
}
