using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Datasets;

public class UtKinectTests
{
    static readonly string Root = SharedData.Path("utkinect-action3d");

    [Fact]
    public void Load_ReadsTwentyTakesWithTheirLabelledSegments()
    {
        var recordings = UtKinect.Load(Root);
        Assert.Equal(20, recordings.Count);
        Assert.Equal(199, recordings.Sum(r => r.Segments.Count)); // s10_e02 carry is NaN in the label file
        Assert.Equal(Enumerable.Range(1, 10), recordings.Select(r => r.Subject).Distinct().Order());
        Assert.All(recordings, r =>
        {
            Assert.Equal(r.FrameIds.Length, r.Skeletons.Frames);
            Assert.True(r.FrameIds.Zip(r.FrameIds.Skip(1)).All(p => p.First < p.Second), $"{r.Take}: frame ids must increase");
            Assert.True(r.Segments.Zip(r.Segments.Skip(1)).All(p => p.First.StartFrameId <= p.Second.StartFrameId));
        });
        var first = recordings.Single(r => r.Take == "s01_e01");
        Assert.Equal(190, first.FrameIds[0]);
        Assert.Equal(0.807139f, first.Skeletons.Positions[0]);   // hip centre x of the first row
        Assert.Equal(0, first.ActionAt(300));                     // walk: 252 390
        Assert.Equal(-1, first.ActionAt(450));                    // between walk and sitDown
    }

    [Fact]
    public void ActionNamesAndSplits_FollowTheDerivedFiles()
    {
        Assert.Equal(["walk", "sit_down", "stand_up", "pick_up", "carry", "throw", "push", "pull", "wave_hands", "clap_hands"], UtKinect.ActionNames(Root));
        Assert.Equal([2, 5, 7, 8, 9], UtKinect.TrainSubjects(Root, 1).Order());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => UtKinect.TrainSubjects(Root, 11));
        Assert.Contains("split 11", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFolder_SaysWhatIsMissing()
    {
        var e = Assert.Throws<FileNotFoundException>(() => UtKinect.Load(Path.Combine(Path.GetTempPath(), "no-such-utkinect")));
        Assert.Contains("action_names.txt", e.Message, StringComparison.Ordinal);
    }
}
