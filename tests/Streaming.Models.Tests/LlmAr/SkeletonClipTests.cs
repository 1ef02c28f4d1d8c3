using Streaming.Models.Datasets;
using Streaming.Models.LlmAr;
using Streaming.Models.Skeletons;
using Streaming.Models.Tests.Skeletons;

namespace Streaming.Models.Tests.LlmAr;

/// <summary>UTKinect frames (take s01_e01) as LLM-AR clips: the same body in every layout gives the same clip.</summary>
public class SkeletonClipTests
{
    static readonly SkeletonSequence Take = UtKinect.Load(SharedData.Path("utkinect-action3d")).Single(r => r.Take == "s01_e01").Skeletons;

    static SkeletonSequence First(int frames) => new(Take.Positions[..(frames * Take.Joints * 3)], frames, Take.Joints);

    static SkeletonSequence InLayout(SkeletonSequence kinect, Func<float[], float[]> write, int joints) =>
        new([.. Enumerable.Range(0, kinect.Frames).SelectMany(t => write(kinect.Frame(t).ToArray()))], kinect.Frames, joints);

    [Fact]
    public void Kinect20Clip_StartsAtThePelvisAndIsScaledByTheMeanTorso()
    {
        var clip = SkeletonClip.From(LayoutMapping.Kinect20, First(10), 3);
        Assert.Equal((10, 3, 60), (clip.Frames, clip.Dimensions, clip.FrameSize));
        Assert.All(clip.Joints[..3], v => Assert.Equal(0f, v, 1e-6f));
        // Frame 0's torso is 0.3516 m; across 10 frames of a standing subject the mean stays within a few percent of it.
        float shoulder = clip.Joints[(int)CanonicalJoint.ShoulderCenter * 3 + 1];
        Assert.InRange(shoulder, 0.95f, 1.05f);
    }

    [Fact]
    public void Ntu25Frames_GiveTheKinect20Clip()
    {
        var kinect = SkeletonClip.From(LayoutMapping.Kinect20, First(6), 3);
        var ntu = SkeletonClip.From(LayoutMapping.Ntu25, InLayout(First(6), f => LayoutFrames.Ntu25(f), 25), 3);
        Assert.Equal(kinect.Joints.Length, ntu.Joints.Length);
        for (int i = 0; i < kinect.Joints.Length; i++) Assert.Equal(kinect.Joints[i], ntu.Joints[i], 1e-5f);
    }

    [Fact]
    public void Coco17Frames_ServeTwoDimensionalClipsOnly()
    {
        var coco = InLayout(First(6), f => LayoutFrames.Coco17(f), 17);
        var clip = SkeletonClip.From(LayoutMapping.Coco17, coco, 2);
        Assert.Equal(40, clip.FrameSize);
        Assert.True(clip.Joints[(int)CanonicalJoint.Head * 2 + 1] > 0, "upright: the head is above the pelvis");
        var e = Assert.Throws<ArgumentException>(() => SkeletonClip.From(LayoutMapping.Coco17, coco, 3));
        Assert.Contains("no depth", e.Message);
    }

    [Fact]
    public void BadFrames_AreErrorsNamingTheProblem()
    {
        var nan = First(3) with { Positions = (float[])First(3).Positions.Clone() };
        nan.Positions[Take.Joints * 3 + 4] = float.NaN;
        Assert.Contains("frame 1 holds NaN", Assert.Throws<ArgumentException>(() => SkeletonClip.From(LayoutMapping.Kinect20, nan, 3)).Message);
        var collapsed = new SkeletonSequence(new float[2 * Take.Joints * 3], 2, Take.Joints);
        Assert.Contains("no body", Assert.Throws<ArgumentException>(() => SkeletonClip.From(LayoutMapping.Kinect20, collapsed, 3)).Message);
        Assert.Contains("no frames", Assert.Throws<ArgumentException>(() => SkeletonClip.From(LayoutMapping.Kinect20, new SkeletonSequence([], 0, Take.Joints), 3)).Message);
        Assert.Contains("ntu25's 25", Assert.Throws<ArgumentException>(() => SkeletonClip.From(LayoutMapping.Ntu25, First(2), 3)).Message);
    }

    [Fact]
    public void Resample_KeepsTheEndsAndInterpolatesBetween()
    {
        var clip = SkeletonClip.From(LayoutMapping.Kinect20, First(5), 3);
        var r = clip.Resample(9);                      // frame t of 9 sits at t/2 of the original 5
        Assert.Equal(clip.Joints[..60], r[..60]);
        Assert.Equal(clip.Joints[^60..], r[^60..]);
        for (int k = 0; k < 60; k++) Assert.Equal((clip.Joints[k] + clip.Joints[60 + k]) / 2, r[60 + k], 1e-6f);
    }
}
