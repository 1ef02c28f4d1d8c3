using Streaming.Pipeline.Contracts;
using Streaming.Video.Pose;
using Streaming.Video.Tests.Fixtures;

namespace Streaming.Video.Tests.Pose;

public class PoseFrameAnalyzerTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Analyze_Frames_GiveCoco17SkeletonsInPixelsWithScoresAndTheCameraFrame()
    {
        var pose = new MarkerPoseModel();
        var frame = MarkerFrames.Frame("cam-1", 5, T0);
        var skeleton = Assert.Single(new PoseFrameAnalyzer(pose).Analyze([frame])).Value!;

        Assert.Equal(("cam-1", 5L, frame.CaptureTime), (skeleton.Stream, skeleton.Sequence, skeleton.CaptureTime));
        Assert.Equal(SkeletonLayout.Coco17, skeleton.Layout);
        var drawn = MarkerFrames.Pose((frame.CaptureTime - T0).TotalSeconds);
        for (int j = 0; j < 17; j++)
        {
            var joint = skeleton.Joint(j);
            Assert.InRange(joint[0], drawn[2 * j] - 1.5f, drawn[2 * j] + 1.5f);
            Assert.InRange(joint[1], drawn[2 * j + 1] - 1.5f, drawn[2 * j + 1] + 1.5f);
            Assert.Equal((0f, 1f), (joint[2], joint[3]));
        }
        Assert.Equal((MarkerFrames.Width, MarkerFrames.Height), (skeleton.Camera!.Width, skeleton.Camera.Height));
        Assert.Equal(3, skeleton.Camera.Features.Length);
        Assert.InRange(skeleton.Camera.Features[0], 0.45f, 0.55f); // mostly the grey background
    }

    [Fact]
    public void Analyze_BatchWithAnUnreadableFrame_RunsThePoseModelOnceOnTheOthersAndRejectsIt()
    {
        var pose = new MarkerPoseModel();
        var good = MarkerFrames.Frame("cam-1", 0, T0);
        var wrongSize = MarkerFrames.Frame("cam-2", 0, T0) with { Width = 64 };
        var results = new PoseFrameAnalyzer(pose).Analyze([good, wrongSize, MarkerFrames.Frame("cam-3", 0, T0)]);

        Assert.Equal([2], pose.Batches);
        Assert.True(results[0].IsValid);
        Assert.Equal("frame-size", results[1].Rejection?.Code);
        Assert.Equal("cam-3", results[2].Value?.Stream);
    }

    [Fact]
    public void Analyze_NoFrameReadable_NeverCallsThePoseModel()
    {
        var pose = new MarkerPoseModel();
        var corrupt = MarkerFrames.Frame("cam-1", 0, T0) with { Payload = new byte[] { 0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9 } };
        Assert.Equal("corrupt-jpeg", Assert.Single(new PoseFrameAnalyzer(pose).Analyze([corrupt])).Rejection?.Code);
        Assert.Empty(pose.Batches);
    }
}
