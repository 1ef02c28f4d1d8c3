using Streaming.Models.Datasets;
using Streaming.Models.Skeletons;

namespace Streaming.Models.Tests.Skeletons;

public class SkeletonRetargetingTests
{
    static readonly SkeletonSequence Take = UtKinect.Load(SharedData.Path("utkinect-action3d")).Single(r => r.Take == "s01_e01").Skeletons;

    [Fact]
    public void Ntu25Frames_AsKinect20_AreTheKinectJointsInTheirOwnCoordinates()
    {
        int frames = 40;
        var ntu = new float[frames * 25 * 3];
        for (int t = 0; t < frames; t++) LayoutFrames.Ntu25(Take.Frame(t)).CopyTo(ntu, t * 25 * 3);
        var kinect = SkeletonRetargeting.Sequence(new SkeletonSequence(ntu, frames, 25), LayoutMapping.Ntu25, LayoutMapping.Kinect20);
        Assert.Equal((frames, 20), (kinect.Frames, kinect.Joints));
        Assert.Equal(Take.Positions[..(frames * 20 * 3)], kinect.Positions);
    }

    [Fact]
    public void SameLayout_IsTheSequenceItself()
    {
        Assert.Same(Take, SkeletonRetargeting.Sequence(Take, LayoutMapping.Kinect20, LayoutMapping.Kinect20));
        Assert.Null(SkeletonRetargeting.Refusal(LayoutMapping.Coco17, LayoutMapping.Coco17));
    }

    [Fact]
    public void UnservableLayouts_AreRefusedWithTheReason()
    {
        var flat = SkeletonRetargeting.Refusal(LayoutMapping.Coco17, LayoutMapping.Kinect20);
        Assert.Equal("coco17 is an image-plane layout without depth (z is 0) and kinect20 is 3-D", flat);
        Assert.Contains("no other layout can be written in its order", SkeletonRetargeting.Refusal(LayoutMapping.Kinect20, LayoutMapping.Ntu25), StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => SkeletonRetargeting.Frame(LayoutMapping.Coco17, LayoutMapping.Kinect20, new float[51], new float[60]));
        Assert.Contains("retargeting coco17 to kinect20: " + flat, e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => SkeletonRetargeting.Sequence(Take, LayoutMapping.Ntu25, LayoutMapping.Kinect20));
        Assert.Contains("20 joints, not ntu25's 25", e.Message, StringComparison.Ordinal);
    }
}
