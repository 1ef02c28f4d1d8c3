using Streaming.Service.Replay;
using Streaming.Models.Datasets;

namespace Streaming.Service.Tests.Replay;

/// <summary>50 Salads ground truth as the action events `streaming publish --dataset 50salads` sends.</summary>
public class FrameLabelReplayTests
{
    static readonly DateTimeOffset Origin = DateTimeOffset.UnixEpoch;

    [Fact]
    public void LabelChangesOnly_OneEventPerSegment_AtItsFirstFrame()
    {
        var dataset = FrameLabelDataset.Open(Path.Combine(RepositoryFiles.Data, "50salads"));
        var video = dataset.Video("rgb-01-1");
        var events = DatasetReplay.FrameLabels(video, dataset.Actions, "s", Origin, fps: 30).ToList();
        var starts = Enumerable.Range(0, video.Labels.Length).Where(f => f == 0 || video.Labels[f] != video.Labels[f - 1]).ToList();
        Assert.Equal(starts.Select(f => Origin + TimeSpan.FromSeconds(f / 30.0)), events.Select(e => e.Time));
        Assert.Equal(starts.Select(f => dataset.Actions[video.Labels[f]]), events.Select(e => e.Label));
        Assert.All(events, e => Assert.Null(e.Confidence));
        Assert.Equal("action_start", events[0].Label);
    }

    [Fact]
    public void EveryNFrames_RepeatsTheLabel_WhileItGoesOn()
    {
        var video = new LabelledVideo("v", [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], null);
        var events = DatasetReplay.FrameLabels(video, ["a", "b"], "s", Origin, fps: 10, everyFrames: 3).ToList();
        Assert.Equal([0.0, 0.3, 0.5, 0.8, 1.1], events.Select(e => Math.Round((e.Time - Origin).TotalSeconds, 6)));
        Assert.Equal(["a", "a", "b", "b", "b"], events.Select(e => e.Label));
    }
}
